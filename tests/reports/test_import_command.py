from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.reports.conftest import JSON_KEYS, RECOMMENDATION_KEYS
from tracker.extensions import db
from tracker.models import Report, Task, TaskStatus


def stored() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Report)) or 0,
        db.session.scalar(select(func.count()).select_from(Task)) or 0,
    )


@pytest.mark.parametrize(
    "name",
    [
        "hy-vilnius-2025-02.txt",
        "en-chisinau-2025-05.txt",
        "hy-lyon-2025-09.docx",
        "hy-tbilisi-2024-07.pdf",
        "hy-no-recommendations.txt",
    ],
)
def test_dry_run_json_prints_the_contract_and_writes_nothing(runner, samples: Path, name) -> None:
    result = runner.invoke(args=["import", str(samples / name), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert set(parsed) == JSON_KEYS
    assert parsed["source"] == name
    for item in parsed["recommendations"]:
        assert set(item) == RECOMMENDATION_KEYS
    expected = json.loads((samples / "expected.json").read_text())["reports"][name]
    assert parsed["signed_on"] == expected["signed_on"]
    assert len(parsed["recommendations"]) == len(expected["recommendations"])
    assert stored() == (0, 0)


def test_import_stores_draft_tasks_with_owners_matched(runner, samples, sample_people) -> None:
    result = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt")])
    assert result.exit_code == 0, result.output
    assert "Stored report 1 with 3 draft task(s)." in result.output
    assert "/reports/1/review" in result.output
    tasks = db.session.scalars(select(Task).order_by(Task.position)).all()
    assert [task.status for task in tasks] == [TaskStatus.DRAFT] * 3
    assert [[owner.name for owner in task.owners] for task in tasks] == [
        ["Անի Սարգսյան"],
        ["Կարեն Բաղիշյան"],
        ["Լիլիթ Հովհաննիսյան"],
    ]
    assert tasks[1].deadline_text == "2025թ. II եռամսյակ"
    assert tasks[1].deadline == date(2025, 6, 30)


def test_confirm_opens_the_tasks_and_names_who_matched_nobody(
    runner, samples, sample_people
) -> None:
    result = runner.invoke(args=["import", str(samples / "en-chisinau-2025-05.txt"), "--confirm"])
    assert result.exit_code == 0, result.output
    assert "No user matched: Armen Hakobyan." in result.output
    assert "1 task(s) have no owner yet." in result.output
    statuses = db.session.scalars(select(Task.status)).all()
    assert statuses == [TaskStatus.OPEN] * 3
    report = db.session.scalars(select(Report)).one()
    assert report.status.value == "confirmed"


def test_json_with_storing_keeps_stdout_pure_json(runner, samples, sample_people) -> None:
    result = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt"), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["language"] == "hy"
    assert "Stored report 1" in result.stderr


def test_the_same_file_twice_is_refused_naming_the_earlier_import(runner, samples) -> None:
    first = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt")])
    assert first.exit_code == 0
    second = runner.invoke(args=["import", str(samples / "hy-vilnius-2025-02.txt")])
    assert second.exit_code == 2
    assert second.stderr.strip().startswith("Error: This file was already imported on ")
    assert "as report 1 (“hy-vilnius-2025-02.txt”)" in second.stderr
    assert second.stdout == ""
    assert stored() == (1, 3)


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("notes.odt", b"not a report", "odt"),
        ("broken.docx", b"PK\x03\x04 broken zip", "docx"),
        ("broken.pdf", b"%PDF-1.4 nothing else", "PDF"),
        ("letter.txt", b"Dear colleagues,\nthanks.\n", "not a trip report"),
    ],
)
def test_bad_files_exit_2_with_one_line_and_write_nothing(
    runner, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    result = runner.invoke(args=["import", str(_write(tmp_path, name, content))])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert message.lower() in lines[0].lower()
    assert "Traceback" not in result.output
    assert stored() == (0, 0)


def test_the_error_sample_is_refused(runner, samples: Path) -> None:
    errors = json.loads((samples / "expected.json").read_text())["errors"]
    for name in errors:
        result = runner.invoke(args=["import", str(samples / name), "--dry-run", "--json"])
        assert result.exit_code == 2, name
        assert len(result.stderr.strip().splitlines()) == 1
    assert stored() == (0, 0)


def test_a_file_over_the_size_limit_is_refused_before_reading(app, runner, tmp_path: Path) -> None:
    app.config["TRACKER_UPLOAD_MAX_BYTES"] = 1000
    big = _write(tmp_path, "big.txt", b"x" * 1001)
    result = runner.invoke(args=["import", str(big)])
    assert result.exit_code == 2
    assert "over the 1,000-byte limit" in result.stderr


def test_a_missing_file_is_one_line_too(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", str(tmp_path / "nowhere.txt")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_overlong_fields_are_cut_to_fit_on_every_database(
    migrated_database_url: str, tmp_path: Path, samples: Path
) -> None:
    from tests.conftest import make_app

    text = (samples / "en-chisinau-2025-05.txt").read_text(encoding="utf-8")
    long_name = "Gohar " + "Petrosyan-" * 60
    long_phrase = "by 30 September 2025 " + "after consulting everyone concerned " * 20
    text = text.replace("Gohar Petrosyan\n\n2.", f"{long_name}\n\n2.", 1)
    text = text.replace("Deadline: by 30 September 2025", f"Deadline: {long_phrase}", 1)
    report_file = tmp_path / "long-fields.txt"
    report_file.write_text(text, encoding="utf-8")

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["import", str(report_file)])
        assert result.exit_code == 0, result.output
        report = db.session.scalars(select(Report)).one()
        assert report.author_name is not None and len(report.author_name) == 200
        assert report.author_name.startswith("Gohar Petrosyan-") and report.author_name[-1] == "…"
        first = db.session.scalars(select(Task).order_by(Task.position)).first()
        assert first is not None and first.deadline_text is not None
        assert len(first.deadline_text) <= 300 and first.deadline_text.endswith("…")
        db.session.remove()
        db.engine.dispose()
