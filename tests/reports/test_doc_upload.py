"""Old Word (.doc) reports through the upload page and `tracker import`: they import like the
originals, and each refusal (antiword absent, not a .doc, a truncated .doc, antiword hanging) is
one clear message in the user's language, with nothing stored."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import unavailable
from tracker.extensions import db
from tracker.models import Report, Role, Task
from tracker.reports.parsing import parse_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEEDS_ANTIWORD = "install antiword (Debian package antiword)"
MISSING = {
    "en": "Old Word (.doc) files cannot be read on this server: the converter is not installed"
    " (ask the administrator to install the Debian package antiword).",
    "hy": "Word-ի հին ձևաչափի (.doc) ֆայլերն այս սերվերում հնարավոր չէ կարդալ․ "
    "փոխարկիչը տեղադրված չէ (խնդրեք ադմինիստրատորին տեղադրել Debian-ի antiword փաթեթը)։",
}
BROKEN = {
    "en": "The old Word (.doc) file could not be read: it is damaged or not a Word 97-2003"
    " document.",
    "hy": "Word-ի հին ձևաչափի (.doc) ֆայլը հնարավոր չեղավ կարդալ․ այն վնասված է կամ "
    "Word 97-2003 փաստաթուղթ չէ։",
}
TOO_SLOW = {
    "en": "This file takes too long to read, so it cannot be a usable report.",
    "hy": "Այս ֆայլի ընթերցումը չափազանց երկար է տևում",
}


def needs_antiword() -> None:
    if shutil.which("antiword") is None:
        unavailable(NEEDS_ANTIWORD)


def stored() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Report)) or 0,
        db.session.scalar(select(func.count()).select_from(Task)) or 0,
    )


def upload(client, name: str, data: bytes):
    token = client.csrf_token("/reports/upload")
    return client.post(
        "/reports/upload",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def page_text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture
def no_antiword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH without antiword, for this process and the parse's child process."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.fixture
def hanging_antiword(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An antiword that never answers, and a parse allowed one second on the clock."""
    script = tmp_path / "bin" / "antiword"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\nexec sleep 5\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    app.config["TRACKER_PARSE_TIMEOUT_SECONDS"] = 1


# ---------------------------------------------------------------- the web page


def test_the_upload_page_names_doc_among_the_files_it_takes(client, sample_people) -> None:
    client.login(sample_people["staff"].email)
    assert "(.txt, .docx, .doc or .pdf)" in client.get("/reports/upload").get_data(as_text=True)


def test_an_uploaded_doc_becomes_the_draft_its_docx_would(
    client, samples: Path, sample_people
) -> None:
    needs_antiword()
    client.login(sample_people["staff"].email)
    response = upload(client, "lyon.doc", (FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert response.status_code == 302, page_text(response)
    assert stored() == (1, 2)
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    docx = parse_report((samples / "hy-lyon-2025-09.docx").read_bytes(), "hy-lyon-2025-09.docx")
    assert [
        (task.title, task.deadline, task.deadline_text, task.expected_result) for task in tasks
    ] == [
        (item.title, item.deadline, item.deadline_text, item.expected_result)
        for item in docx.recommendations
    ]
    assert str(tasks[0].deadline) == "2026-04-30"
    assert [owner.name for owner in tasks[0].owners] == ["Լիլիթ Հովհաննիսյան"]


@pytest.mark.parametrize("language", ["en", "hy"])
def test_without_antiword_the_page_says_what_to_install(
    client, make_user, no_antiword, language: str
) -> None:
    client.login(make_user(Role.STAFF, language=language).email)
    response = upload(client, "old.doc", (FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert response.status_code == 400
    assert MISSING[language] in page_text(response)
    assert stored() == (0, 0)


@pytest.mark.parametrize("language", ["en", "hy"])
@pytest.mark.parametrize("what", ["text named .doc", "truncated .doc", "pdf named .doc"])
def test_a_doc_that_cannot_be_read_is_refused_in_the_users_language(
    client, make_user, samples: Path, language: str, what: str
) -> None:
    if what == "truncated .doc":
        needs_antiword()
    data = {
        "text named .doc": (samples / "hy-vilnius-2025-02.txt").read_bytes(),
        "truncated .doc": (FIXTURES / "hy-lyon-2025-09.doc").read_bytes()[:8000],
        "pdf named .doc": (samples / "hy-tbilisi-2024-07.pdf").read_bytes(),
    }[what]
    client.login(make_user(Role.STAFF, language=language).email)
    response = upload(client, "report.doc", data)
    assert response.status_code == 400
    assert BROKEN[language] in page_text(response)
    assert stored() == (0, 0)


@pytest.mark.parametrize("language", ["en", "hy"])
def test_an_antiword_that_hangs_costs_the_upload_a_refusal(
    client, make_user, hanging_antiword, language: str
) -> None:
    client.login(make_user(Role.STAFF, language=language).email)
    response = upload(client, "old.doc", (FIXTURES / "hy-lyon-2025-09.doc").read_bytes())
    assert response.status_code == 400
    assert TOO_SLOW[language] in page_text(response)
    assert stored() == (0, 0)


# ---------------------------------------------------------------- tracker import


@pytest.mark.parametrize(
    ("doc", "original"),
    [
        ("hy-vilnius-2025-02.doc", "hy-vilnius-2025-02.txt"),
        ("hy-lyon-2025-09.doc", "hy-lyon-2025-09.docx"),
        ("en-chisinau-2025-05.doc", "en-chisinau-2025-05.txt"),
    ],
)
def test_tracker_import_of_a_doc_prints_what_the_original_gives(
    runner, samples: Path, doc: str, original: str
) -> None:
    needs_antiword()
    from_doc = runner.invoke(args=["import", str(FIXTURES / doc), "--dry-run", "--json"])
    from_original = runner.invoke(args=["import", str(samples / original), "--dry-run", "--json"])
    assert from_doc.exit_code == 0, from_doc.output
    parsed, expected = json.loads(from_doc.stdout), json.loads(from_original.stdout)
    assert parsed.pop("source") == doc
    expected.pop("source")
    assert parsed == expected
    assert stored() == (0, 0)


def test_tracker_import_stores_a_doc_with_its_draft_tasks(runner, sample_people) -> None:
    needs_antiword()
    result = runner.invoke(args=["import", str(FIXTURES / "hy-vilnius-2025-02.doc")])
    assert result.exit_code == 0, result.output
    assert "Stored report 1 with 3 draft task(s)." in result.output
    assert stored() == (1, 3)


def test_tracker_import_without_antiword_is_one_line_saying_what_to_install(
    runner, no_antiword
) -> None:
    result = runner.invoke(args=["import", str(FIXTURES / "hy-lyon-2025-09.doc")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: cannot read a .doc file: antiword is not installed on this server"
        " (install the Debian package antiword), or save the file as .docx or PDF"
    ]
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text", "not a Word 97-2003 (.doc) document"),
        ((FIXTURES / "hy-lyon-2025-09.doc").read_bytes()[:4096], "the .doc file could not be read"),
    ],
    ids=["not-a-doc", "truncated"],
)
def test_tracker_import_of_a_bad_doc_is_one_line_and_writes_nothing(
    runner, tmp_path: Path, content: bytes, message: str
) -> None:
    if content.startswith(b"\xd0\xcf"):
        needs_antiword()
    path = tmp_path / "bad.doc"
    path.write_bytes(content)
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert stored() == (0, 0)


def test_tracker_import_of_a_doc_that_hangs_antiword_is_refused(runner, hanging_antiword) -> None:
    result = runner.invoke(args=["import", str(FIXTURES / "hy-lyon-2025-09.doc")])
    assert result.exit_code == 2
    assert "takes too long to read" in result.stderr
    assert stored() == (0, 0)
