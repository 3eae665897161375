"""Deadline changes and requests for more time, checked in the database after each POST.

- A new deadline drops the phrase the report gave for the old one ("by the end of March").
- An owner's request for more time must ask for a date after the current deadline; a refused
  one records nothing, mails no one and leaves the email link usable.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import refreshed
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import EventKind, OutboxMessage, UsedActionToken

REFUSAL = "Ask for a date after the current deadline."


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_new_deadline_drops_the_reports_phrase_for_the_old_one(client, org) -> None:
    org.task.deadline_text = "by the end of March"
    db.session.commit()
    client.login(org.manager.email)

    response = client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "2025-06-30", "reason": "The working group needs a quarter more."},
        page="/tasks",
    )

    assert response.status_code == 302
    task = refreshed(org.task)
    assert (task.deadline, task.deadline_text) == (date(2025, 6, 30), None)
    event = task.events[-1]
    assert event.kind is EventKind.DEADLINE_CHANGED
    assert (event.old_value, event.new_value) == ("2025-03-31 (by the end of March)", "2025-06-30")


def test_the_same_deadline_again_is_refused_and_keeps_the_phrase(client, org) -> None:
    org.task.deadline_text = "by the end of March"
    db.session.commit()
    client.login(org.manager.email)

    client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "2025-03-31", "reason": "No change."},
        page="/tasks",
    )

    task = refreshed(org.task)
    assert (task.deadline, task.deadline_text) == (date(2025, 3, 31), "by the end of March")
    assert [e.kind for e in task.events] == [EventKind.CREATED]


def extension_link(app, org) -> str:
    token = ActionLinkSigner(app.config["SECRET_KEY"]).make(
        org.task.id, org.officer.id, Action.EXTEND
    )
    return f"/tasks/action/{token}"


@pytest.mark.parametrize("asked", ["2025-03-01", "2025-03-31"], ids=["earlier", "same day"])
def test_more_time_must_be_after_the_deadline_and_a_refusal_keeps_the_link(
    app, client, org, asked: str
) -> None:
    url = extension_link(app, org)
    client.login(org.officer.email)

    # The reason is a good one: only the date is wrong.
    response = client.submit(url, {"deadline": asked, "reason": "Waiting for the ministry."})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{org.task.id}"
    assert REFUSAL in client.get(response.headers["Location"]).get_data(as_text=True)
    task = refreshed(org.task)
    assert task.deadline == date(2025, 3, 31)
    assert [e.kind for e in task.events] == [EventKind.CREATED]
    assert count(OutboxMessage) == 0
    assert count(UsedActionToken) == 0  # the refusal did not spend the link

    # The same link then asks for a later date.
    response = client.submit(url, {"deadline": "2025-04-01", "reason": "Waiting for the ministry."})
    assert response.status_code == 302
    event = refreshed(org.task).events[-1]
    assert (event.kind, event.new_value) == (EventKind.EXTENSION_REQUESTED, "2025-04-01")
    assert count(UsedActionToken) == 1
