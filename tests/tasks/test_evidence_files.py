"""Evidence files are checked before they touch the disk, and kept only when the change is
committed: a refused "mark done" leaves no file behind, on either database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask

from tracker.extensions import db
from tracker.models import Task, TaskStatus


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The usual application, on SQLite and on PostgreSQL."""
    return any_database_app


def evidence_files(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def post_done(client, task: Task, content: bytes, name: str = "order.pdf"):
    return client.submit(
        f"/tasks/{task.id}/done",
        {"note": "Signed.", "evidence_file": (io.BytesIO(content), name)},
        page=f"/tasks/{task.id}",
        content_type="multipart/form-data",
    )


def test_evidence_for_an_open_task_is_in_place_after_the_commit(app, client, org) -> None:
    client.login(org.officer.email)
    assert post_done(client, org.task, b"%PDF-1.4 order").status_code == 302
    db.session.expire_all()
    task = db.session.get_one(Task, org.task.id)
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE  # the owner's report, to be accepted
    assert task.evidence_file is not None
    assert [path.name for path in evidence_files(app)] == [task.evidence_file]
    assert (Path(app.instance_path) / "evidence" / task.evidence_file).read_bytes() == (
        b"%PDF-1.4 order"
    )


def test_evidence_for_a_done_task_leaves_no_file(app, client, org) -> None:
    client.login(org.officer.email)
    assert post_done(client, org.task, b"first").status_code == 302
    kept = evidence_files(app)
    for _ in range(3):
        # Under the test client's 500 KB, past which it spools the body to a file it never closes.
        response = post_done(client, org.task, b"x" * 400_000)
        assert response.status_code == 302
    assert evidence_files(app) == kept  # no orphan, no temporary file


def test_evidence_over_the_size_limit_is_refused_before_writing(app, client, org) -> None:
    app.config["TRACKER_UPLOAD_MAX_BYTES"] = 1024
    client.login(org.officer.email)
    response = post_done(client, org.task, b"x" * 2048)
    assert response.status_code == 302
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert "The evidence file is too large: at most" in page
    db.session.expire_all()
    assert db.session.get_one(Task, org.task.id).status is TaskStatus.OPEN
    assert evidence_files(app) == []


def test_evidence_from_someone_who_may_not_work_on_the_task_leaves_no_file(
    app, client, org
) -> None:
    client.login(org.other_officer.email)
    assert post_done(client, org.task, b"not mine").status_code == 403
    assert evidence_files(app) == []
