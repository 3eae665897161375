"""Every `tracker` command starts fast (#13): the factory and a run with nothing to do import
no heavy module that only some command or page needs. Checked by what a fresh interpreter has
imported, never by timing; bench figures are measured by hand."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from tests.conftest import copy_database, make_app

# Loaded where they are used: migrations (`tracker db`), spreadsheets, PDF reports, calendar
# feeds, report files, address checks, the demo, and the holidays of the 250 countries that
# are not Armenia.
HEAVY = (
    "alembic",
    "flask_migrate",
    "openpyxl",
    "xlsxwriter",
    "fpdf",
    "icalendar",
    "pypdf",
    "docx",
    "email_validator",
    "holidays.countries",
    "tracker.reports.parsing.parser",
    "tracker.reports.parsing.docx_reader",
    "tracker.reports.parsing.pdf_reader",
    "tracker.demo.services",
)

SATURDAY = "2026-11-28"
THURSDAY = "2026-11-26"
NEW_YEARS_EVE = "2026-12-31"  # a Thursday and a public holiday

# Runs in a fresh interpreter: `tracker ARGS…` in-process, then lists what it imported.
RUN = """
import json, os, sys
from tracker.cli import main
try:
    main.main(args=json.loads(os.environ["ARGS"]), prog_name="tracker", standalone_mode=False)
finally:
    with open(os.environ["MODULES"], "w") as out:
        json.dump(sorted(sys.modules), out)
"""

FACTORY = """
import json, os, sys
from tracker import create_app
create_app()
with open(os.environ["MODULES"], "w") as out:
    json.dump(sorted(sys.modules), out)
"""


def imported_by(script: str, tmp_path: Path, database_url: str, *arguments: str) -> set[str]:
    modules = tmp_path / "modules.json"
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SECRET_KEY": "startup-test",
        "ARGS": json.dumps(list(arguments)),
        "MODULES": str(modules),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(modules.read_text()))


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(
        module
        for module in modules
        if any(module == heavy or module.startswith(heavy + ".") for heavy in HEAVY)
    )


@pytest.fixture
def database_copy(sqlite_template: Path, tmp_path: Path) -> str:
    return copy_database(sqlite_template, tmp_path, "startup.sqlite")


def test_the_factory_imports_nothing_heavy(tmp_path: Path, database_copy: str) -> None:
    assert heavy_among(imported_by(FACTORY, tmp_path, database_copy)) == []


@pytest.mark.parametrize(
    "arguments", [["--help"], ["remind", "--help"], ["leadership-digest", "--help"]]
)
def test_help_imports_nothing_heavy(
    tmp_path: Path, database_copy: str, arguments: list[str]
) -> None:
    assert heavy_among(imported_by(RUN, tmp_path, database_copy, *arguments)) == []


def test_a_weekend_reminder_run_needs_not_even_the_holidays(
    tmp_path: Path, database_copy: str
) -> None:
    modules = imported_by(
        RUN, tmp_path, database_copy, "remind", "--as-of", SATURDAY, "--allow-future"
    )
    assert heavy_among(modules) == []
    assert "tracker.notifications.planner" in modules  # it did run
    assert not {module for module in modules if module.split(".")[0] == "holidays"}


@pytest.mark.parametrize("day", [THURSDAY, NEW_YEARS_EVE])
def test_a_weekday_run_reads_the_armenian_holidays_only(
    tmp_path: Path, database_copy: str, day: str
) -> None:
    modules = imported_by(RUN, tmp_path, database_copy, "remind", "--as-of", day, "--allow-future")
    assert heavy_among(modules) == []
    assert "tracker.workdays._armenia" in modules


# --- `tracker db` is loaded when it runs -------------------------------------------------


def test_the_db_command_stand_in_says_what_flask_migrate_says() -> None:
    from tracker.extensions import DB_COMMAND_HELP

    # (the stubs of Flask-Migrate stop at its package)
    assert import_module("flask_migrate.cli").db.help == DB_COMMAND_HELP


def tracker(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The console script, in a process of its own (settings are read at import)."""
    command = Path(sys.executable).with_name("tracker")
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SECRET_KEY": "startup-test",
    }
    return subprocess.run(
        [str(command), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_tracker_help_lists_db_and_db_help_is_flask_migrates(database_copy: str) -> None:
    listed = tracker(database_copy, "--help")
    assert listed.returncode == 0, listed.stderr
    # (the column is as wide as the longest command name: `leadership-digest`)
    assert re.search(r"^  db +Perform database migrations\.$", listed.stdout, re.MULTILINE)
    helped = tracker(database_copy, "db", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Usage: tracker db [OPTIONS] COMMAND [ARGS]..." in helped.stdout
    assert "upgrade" in helped.stdout


def test_tracker_db_upgrade_migrates_to_the_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from tracker import MIGRATIONS_DIR

    path = tmp_path / "fresh.sqlite"
    upgraded = tracker(f"sqlite:///{path}", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(path) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    current = tracker(f"sqlite:///{path}", "db", "current")
    assert f"{revision} (head)" in current.stdout


def test_the_migrate_settings_are_flask_migrates_once_used(tmp_path: Path) -> None:
    from flask_migrate import Migrate

    from tracker import MIGRATIONS_DIR

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite'}")
    stand_in = app.extensions["migrate"]
    assert stand_in.directory == str(MIGRATIONS_DIR)  # without binding
    assert isinstance(stand_in.migrate, Migrate)  # binds
    settings = app.extensions["migrate"]
    assert settings is not stand_in
    assert settings.directory == str(MIGRATIONS_DIR)
    assert stand_in.configure_args == settings.configure_args
    assert app.cli.commands["db"] is sys.modules["flask_migrate.cli"].db


def test_the_parsing_package_loads_the_parser_and_readers_when_used(tmp_path: Path) -> None:
    check = """
import json, sys
import tracker.reports.parsing as parsing
loaded = [sorted(sys.modules)]
try:
    parsing.parse_report(b"Not a trip report", "note.txt")
except parsing.ReportError:
    pass
loaded.append(sorted(sys.modules))
print(json.dumps(loaded))
"""
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True
    )
    imported, after_a_text_parse = (set(modules) for modules in json.loads(done.stdout))
    assert heavy_among(imported) == []
    assert "tracker.reports.parsing.parser" in after_a_text_parse
    assert {"docx", "pypdf"}.isdisjoint(after_a_text_parse)
