"""The "mark done" and "ask for more time" links in reminder emails."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import refreshed
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import EventKind, Notice, NoticeKind, OutboxMessage, TaskStatus, utcnow
from tracker.notifications.event_mail import mail_due_notices


def link(app, task, user, action: Action) -> str:
    return "/tasks/action/" + ActionLinkSigner(app.config["SECRET_KEY"]).make(
        task.id, user.id, action
    )


def test_opening_the_link_changes_nothing_the_post_marks_done_once(app, client, org) -> None:
    url = link(app, org.task, org.officer, Action.DONE)
    client.login(org.officer.email)
    page = client.get(url)
    assert page.status_code == 200
    assert "Digital services concept" in page.get_data(as_text=True)
    client.get(url)  # a second look, as a link scanner would
    assert refreshed(org.task).status is TaskStatus.OPEN

    response = client.submit(url, {"note": "Done, see the order."})
    assert response.status_code == 302
    task = refreshed(org.task)
    # The owner's report awaits acceptance (verification of completion, on by default).
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE
    assert task.completion_note == "Done, see the order."
    assert client.get(url).status_code == 410


def test_a_link_used_once_cannot_be_used_again(app, client, org) -> None:
    url = link(app, org.task, org.officer, Action.EXTEND)
    client.login(org.officer.email)
    token = client.csrf_token(url)
    data = {"csrf_token": token, "deadline": "2025-05-30", "reason": "Waiting for the ministry."}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 410
    kinds = [event.kind for event in refreshed(org.task).events]
    assert kinds.count(EventKind.EXTENSION_REQUESTED) == 1


def test_asking_for_more_time_records_it_and_mails_the_manager(app, client, org) -> None:
    org.development.head = org.manager
    org.digital.head = None
    db.session.commit()
    url = link(app, org.task, org.officer, Action.EXTEND)
    client.login(org.officer.email)
    response = client.submit(url, {"deadline": "2025-05-30", "reason": "Waiting for the ministry."})
    assert response.status_code == 302
    task = refreshed(org.task)
    assert task.deadline == date(2025, 3, 31)  # only the manager moves it
    event = task.events[-1]
    assert (event.kind, event.new_value, event.note) == (
        EventKind.EXTENSION_REQUESTED,
        "2025-05-30",
        "Waiting for the ministry.",
    )
    # The manager is told by a notice, mailed with whatever else reaches them in the window.
    (notice,) = db.session.scalars(select(Notice)).all()
    assert (notice.user_id, notice.kind) == (org.manager.id, NoticeKind.EXTENSION_REQUESTED)
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert mail_due_notices(utcnow() + timedelta(minutes=6)) == 1
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to_address == org.manager.email
    assert mail.subject == "1 update on your tasks"
    assert "Ani Officer asks for more time: from" in mail.body_text
    assert "Waiting for the ministry." in mail.body_text
    assert f"/tasks/{org.task.id}" in mail.body_text


def test_an_earlier_date_is_refused(app, client, org) -> None:
    url = link(app, org.task, org.officer, Action.EXTEND)
    client.login(org.officer.email)
    client.submit(url, {"deadline": "2025-03-01", "reason": "?"})
    assert EventKind.EXTENSION_REQUESTED not in [e.kind for e in refreshed(org.task).events]


def test_a_link_is_only_for_the_user_it_was_sent_to(app, client, org) -> None:
    url = link(app, org.task, org.officer, Action.DONE)
    client.login(org.manager.email)
    assert client.get(url).status_code == 403
    assert client.submit(url, {"note": "Not mine."}, page="/tasks").status_code == 403
    assert refreshed(org.task).status is TaskStatus.OPEN


def test_a_link_needs_a_login_first_and_comes_back(app, client, org) -> None:
    url = link(app, org.task, org.officer, Action.DONE)
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.login(org.officer.email).status_code == 302


@pytest.mark.parametrize("problem", ["forged", "expired"])
def test_forged_and_expired_links_are_refused(app, client, org, problem: str) -> None:
    if problem == "forged":
        token = ActionLinkSigner("another secret").make(org.task.id, org.officer.id, Action.DONE)
    else:
        app.config["TRACKER_ACTION_LINK_DAYS"] = -1
        token = ActionLinkSigner(app.config["SECRET_KEY"]).make(
            org.task.id, org.officer.id, Action.DONE
        )
    client.login(org.officer.email)
    response = client.get(f"/tasks/action/{token}")
    assert response.status_code == 400
    assert client.submit(f"/tasks/action/{token}", {"note": "x"}, page="/tasks").status_code == 400
    assert refreshed(org.task).status is TaskStatus.OPEN


def test_with_no_head_up_the_tree_the_request_goes_to_the_admins(app, client, org) -> None:
    # No head anywhere, and a loop in the tree: the walk must still end, at the admins.
    org.digital.head = None
    org.development.parent = org.digital
    db.session.commit()
    url = link(app, org.task, org.officer, Action.EXTEND)
    client.login(org.officer.email)
    client.submit(url, {"deadline": "2025-05-30", "reason": "Waiting for the ministry."})
    assert mail_due_notices(utcnow() + timedelta(minutes=6)) == 1
    recipients = [mail.to_address for mail in db.session.scalars(select(OutboxMessage))]
    assert recipients == [org.admin.email]
