""" "Ask for more time" from an email link, on a freshly migrated SQLite and PostgreSQL database,
to the manager's mailbox on a real SMTP server, in the event email once its window closes.

The migrations once lacked `extension_requested` in the event kinds' CHECK constraint: on a
real database the request failed and the owner was told the link had already been used.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import EventKind, Task, TaskEvent, UsedActionToken, utcnow
from tracker.notifications.event_mail import mail_due_notices
from tracker.notifications.jobs import deliver_outbox


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and mail fixtures, on each migrated database."""
    return any_database_app


def test_asking_for_more_time_from_the_email_reaches_the_manager(app, client, org, mail_to) -> None:
    org.digital.head = None  # the request goes up to the head of Development
    org.development.head = org.manager
    db.session.commit()
    token = ActionLinkSigner(app.config["SECRET_KEY"]).make(
        org.task.id, org.officer.id, Action.EXTEND
    )
    url = f"/tasks/action/{token}"

    client.login(org.officer.email)
    page = client.get(url)
    assert page.status_code == 200
    assert "Digital services concept" in page.get_data(as_text=True)

    response = client.submit(
        url,
        {"deadline": "2025-05-30", "reason": "Waiting for the ministry."},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert response.request.path == f"/tasks/{org.task.id}"
    html = response.get_data(as_text=True)
    assert "Your request for more time was sent to your manager." in html
    assert "This link has already been used." not in html

    db.session.expire_all()
    events = db.session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == org.task.id).order_by(TaskEvent.id)
    ).all()
    assert (events[-1].kind, events[-1].new_value, events[-1].note) == (
        EventKind.EXTENSION_REQUESTED,
        "2025-05-30",
        "Waiting for the ministry.",
    )
    assert events[-1].actor_id == org.officer.id
    assert db.session.get_one(Task, org.task.id).deadline == date(2025, 3, 31)
    assert db.session.scalar(select(UsedActionToken)) is not None

    # Told within the digest window, not at once.
    assert mail_due_notices() == 0
    deliver_outbox()
    assert mail_to.messages == []
    assert mail_due_notices(utcnow() + timedelta(minutes=6)) == 1
    deliver_outbox()
    (mail,) = mail_to.to(org.manager.email)
    assert mail["Subject"] == "1 update on your tasks"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Ani Officer asks for more time: from" in body
    assert "Waiting for the ministry." in body
    assert f"/tasks/{org.task.id}" in body
    assert mail_to.to(org.officer.email) == []

    assert client.get(url).status_code == 410  # the link is spent
