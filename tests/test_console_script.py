"""The `tracker` console script, run as a user runs it: a separate process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_database

TRACKER = shutil.which("tracker", path=str(Path(sys.executable).parent))


def run_tracker(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert TRACKER, "the tracker console script is not installed in this environment"
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "TRACKER_SECRET_KEY": "console-script-test",
    }
    return subprocess.run(
        [TRACKER, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_upgrade_then_add_users_and_departments(tmp_path: Path) -> None:
    assert run_tracker(tmp_path, "db", "upgrade").returncode == 0
    created = run_tracker(tmp_path, "departments", "add", "Digital")
    assert created.returncode == 0
    assert created.stdout.strip() == "Created department Digital."
    added = run_tracker(
        tmp_path,
        "users",
        "add",
        "ani@example.am",
        "--name",
        "Ani",
        "--role",
        "manager",
        "--department",
        "Digital",
        "--password",
        "long-enough-to-keep",
    )
    assert added.returncode == 0, added.stderr
    head = run_tracker(tmp_path, "departments", "add", "Digital", "--head", "ani@example.am")
    assert head.stdout.strip() == "Updated department Digital."


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["users", "add", "a@example.am", "--name", "A", "--role", "boss"],
            "Error: Unknown role “boss”: use one of officer, manager, staff, admin.",
        ),
        (
            [
                "users",
                "add",
                "a@example.am",
                "--name",
                "A",
                "--role",
                "officer",
                "--department",
                "Nowhere",
            ],
            "Error: There is no department named “Nowhere”.",
        ),
        (
            ["departments", "add", "X", "--parent", "Nowhere"],
            "Error: There is no department named “Nowhere”.",
        ),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(
    tmp_path: Path, sqlite_template: Path, arguments: list[str], message: str
) -> None:
    copy_database(sqlite_template, tmp_path, "cli.sqlite")  # as `tracker db upgrade` leaves it
    result = run_tracker(tmp_path, *arguments)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_run_is_flasks_own_with_its_options(tmp_path: Path) -> None:
    result = run_tracker(tmp_path, "run", "--help")
    assert result.returncode == 0
    assert "--port" in result.stdout and "--no-reload" in result.stdout
