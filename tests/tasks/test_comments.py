"""The discussion on a task (#11 item 6): who may comment, attachments stored as evidence is
(on both databases), and who is told."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Notice, NoticeKind, TaskComment
from tracker.tasks.comments import receive_attachment
from tracker.tasks.services import TaskError


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The usual application, on SQLite and on PostgreSQL."""
    return any_database_app


def attachments(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / "attachments"
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


def post_comment(client, task, body: str, attachment: tuple[bytes, str] | None = None):
    data: dict[str, object] = {"body": body}
    if attachment is not None:
        data["attachment"] = (io.BytesIO(attachment[0]), attachment[1])
    return client.submit(
        f"/tasks/{task.id}/comments",
        data,
        page=f"/tasks/{task.id}",
        content_type="multipart/form-data",
    )


def sign_in_as(client, user) -> None:
    """Sign out whoever is signed in, then sign in as `user`."""
    client.submit("/logout", {}, page="/tasks")
    assert client.login(user.email).status_code == 302


def comments() -> list[TaskComment]:
    db.session.expire_all()
    return list(db.session.scalars(select(TaskComment).order_by(TaskComment.id)))


@pytest.mark.parametrize("role", ["officer", "manager", "staff", "admin"])
def test_owners_their_managers_staff_and_admins_may_comment(app, client, org, role) -> None:
    user = org.user(role)
    client.login(user.email)
    response = post_comment(client, org.task, "When is the meeting?")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/tasks/{org.task.id}")
    (comment,) = comments()
    assert (comment.task_id, comment.author_id, comment.body) == (
        org.task.id,
        user.id,
        "When is the meeting?",
    )
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert "When is the meeting?" in page and "Your comment was posted." in page


@pytest.mark.parametrize("role", ["other_officer", "other_manager"])
def test_others_may_not_comment(app, client, org, role) -> None:
    client.login(org.user(role).email)
    assert post_comment(client, org.task, "Not my task.").status_code == 403
    assert comments() == []
    assert db.session.scalars(select(Notice)).all() == []


def test_a_comment_needs_its_csrf_token_and_a_body(app, client, org) -> None:
    client.login(org.officer.email)
    response = client.post(f"/tasks/{org.task.id}/comments", data={"body": "No token."})
    assert response.status_code == 400
    response = post_comment(client, org.task, "   ")
    assert response.status_code == 400
    assert comments() == []


def test_the_participants_are_told_not_the_author(app, client, org) -> None:
    org.digital.head = org.manager
    db.session.commit()
    client.login(org.staff.email)
    post_comment(client, org.task, "Please add the protocol.")
    sign_in_as(client, org.officer)
    post_comment(client, org.task, "Added it.")
    db.session.expire_all()
    told = [
        (n.user_id, n.actor_id)
        for n in db.session.scalars(
            select(Notice).where(Notice.kind == NoticeKind.COMMENTED).order_by(Notice.id)
        )
    ]
    # Staff's comment: the owner and the head. Ani's reply: the head and staff (who spoke).
    assert told == [
        (org.officer.id, org.staff.id),
        (org.manager.id, org.staff.id),
        (org.manager.id, org.officer.id),
        (org.staff.id, org.officer.id),
    ]


def test_an_attachment_is_stored_and_downloaded_by_whoever_sees_the_task(app, client, org) -> None:
    client.login(org.officer.email)
    response = post_comment(client, org.task, "The draft.", (b"%PDF-1.4 draft", "draft.pdf"))
    assert response.status_code == 302
    (comment,) = comments()
    assert comment.attachment_filename == "draft.pdf"
    assert [p.name for p in attachments(app)] == [comment.attachment_file]
    url = f"/tasks/{org.task.id}/comments/{comment.id}/attachment"
    assert url in client.get(f"/tasks/{org.task.id}").get_data(as_text=True)

    sign_in_as(client, org.manager)
    with client.get(url) as download:
        assert download.status_code == 200
        assert download.data == b"%PDF-1.4 draft"
        assert "draft.pdf" in download.headers["Content-Disposition"]

    sign_in_as(client, org.other_officer)
    assert client.get(url).status_code == 403
    # Through a task it does not belong to, even one the person may see: not found.
    sign_in_as(client, org.admin)
    assert (
        client.get(f"/tasks/{org.other_task.id}/comments/{comment.id}/attachment").status_code
        == 404
    )
    sign_in_as(client, org.officer)
    no_file = post_comment(client, org.task, "No file this time.")
    assert no_file.status_code == 302
    assert (
        client.get(f"/tasks/{org.task.id}/comments/{comments()[-1].id}/attachment").status_code
        == 404
    )


def test_a_too_large_attachment_is_refused_with_nothing_written(app, client, org) -> None:
    app.config["TRACKER_UPLOAD_MAX_BYTES"] = 1024
    client.login(org.officer.email)
    response = post_comment(client, org.task, "Too big, kept.", (b"x" * 2048, "big.pdf"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The attachment is too large" in page
    assert "Too big, kept." in page  # what was typed stays in the form
    assert comments() == []
    assert attachments(app) == []
    assert db.session.scalars(select(Notice)).all() == []


def test_the_service_refuses_a_too_large_attachment_too(app, org) -> None:
    with pytest.raises(TaskError, match="The attachment is too large"):
        receive_attachment(
            Path(app.instance_path) / "attachments", "big.pdf", io.BytesIO(b"x" * 10), max_bytes=5
        )
    assert attachments(app) == []


def test_someone_who_may_not_comment_leaves_no_file(app, client, org) -> None:
    client.login(org.other_officer.email)
    response = post_comment(client, org.task, "Sneaky.", (b"data", "x.pdf"))
    assert response.status_code == 403
    assert attachments(app) == []


def test_a_reader_without_the_right_to_comment_sees_no_form(app, client, org, make_user) -> None:
    client.login(org.officer.email)
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/{org.task.id}/comments"' in page
    assert "No comments yet." in page
