"""Verification of completion (#11 item 3): an owner's "mark done" waits for acceptance; the
manager accepts it (done, completed when the owner reported it) or returns it with a reason
(in progress again); reminders stop while it waits; the setting turns it off."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import listen, refreshed
from tracker.extensions import db
from tracker.models import EventKind, Notification, Task, TaskStatus
from tracker.notifications.jobs import plan_reminders
from tracker.tasks import events, services, verification
from tracker.tasks.services import TaskError
from tracker.unit_of_work import unit_of_work

REPORTED = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
ACCEPTED = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories and client, on each migrated database."""
    return any_database_app


@pytest.fixture
def heard(app: Flask) -> list[object]:
    return listen(app, events.awaiting_acceptance, events.task_returned, events.task_completed)


def report_done(task: Task, owner, note: str = "Concept approved.") -> None:
    with unit_of_work():
        services.mark_done(
            task, owner, note, evidence_url="https://example.am/order-12", now=REPORTED
        )


def test_an_owners_mark_done_awaits_acceptance(org, heard) -> None:
    report_done(org.task, org.officer)
    task = refreshed(org.task)
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE
    assert task.submitted_at == REPORTED and task.completed_at is None
    assert task.completion_note == "Concept approved."
    assert task.evidence_url == "https://example.am/order-12"
    event = task.events[-1]
    assert (event.kind, event.old_value, event.new_value) == (
        EventKind.AWAITING_ACCEPTANCE,
        "open",
        "awaiting_acceptance",
    )
    (payload,) = heard
    assert isinstance(payload, events.AwaitingAcceptance) and payload.actor == org.officer


def test_accepting_makes_it_done_when_the_owner_reported_it(org, heard) -> None:
    report_done(org.task, org.officer)
    with unit_of_work():
        verification.accept(refreshed(org.task), org.manager, "Checked the order.", now=ACCEPTED)
    task = refreshed(org.task)
    assert task.status is TaskStatus.DONE
    # The work was done when the owner reported it; the owner did it.
    assert task.completed_at == REPORTED
    assert task.completed_by_id == org.officer.id
    event = task.events[-1]
    assert (event.kind, event.actor_id, event.new_value, event.note) == (
        EventKind.ACCEPTED,
        org.manager.id,
        "done",
        "Checked the order.",
    )
    assert isinstance(heard[-1], events.TaskCompleted)


def test_returning_sends_it_back_with_the_reason(org, heard) -> None:
    report_done(org.task, org.officer)
    with unit_of_work():
        verification.return_task(refreshed(org.task), org.staff, "The order is not signed.")
    task = refreshed(org.task)
    assert task.status is TaskStatus.IN_PROGRESS
    assert task.submitted_at is None and task.completed_by is None
    event = task.events[-1]
    assert (event.kind, event.old_value, event.new_value, event.note) == (
        EventKind.RETURNED,
        "awaiting_acceptance",
        "in_progress",
        "The order is not signed.",
    )
    returned = heard[-1]
    assert isinstance(returned, events.TaskReturned)
    assert returned.reason == "The order is not signed."
    report_done(task, org.officer)
    with pytest.raises(TaskError, match="Say why"), unit_of_work():
        verification.return_task(refreshed(org.task), org.staff, "  ")
    assert refreshed(org.task).status is TaskStatus.AWAITING_ACCEPTANCE


def test_only_a_task_awaiting_acceptance_is_accepted_or_returned(org) -> None:
    with pytest.raises(TaskError, match="not waiting for acceptance"), unit_of_work():
        verification.accept(org.task, org.manager)
    with pytest.raises(TaskError, match="not waiting for acceptance"), unit_of_work():
        verification.return_task(org.task, org.manager, "Why?")
    assert refreshed(org.task).status is TaskStatus.OPEN


def test_an_acceptance_and_a_return_sent_at_once_count_once(org, monkeypatch) -> None:
    """The second saw the task awaiting (the first had not committed yet): its conditional
    update finds it no longer waiting, and nothing of it is kept."""
    report_done(org.task, org.officer)
    with unit_of_work():
        verification.accept(refreshed(org.task), org.manager)
    monkeypatch.setattr(verification, "_require_awaiting", lambda task: None)
    with pytest.raises(TaskError, match="not waiting for acceptance"), unit_of_work():
        verification.return_task(refreshed(org.task), org.staff, "Too late.")
    task = refreshed(org.task)
    assert task.status is TaskStatus.DONE
    assert task.events[-1].kind is EventKind.ACCEPTED


@pytest.mark.parametrize("role", ["manager", "staff", "admin"])
def test_who_may_accept_marks_it_done_at_once(org, role: str) -> None:
    report_done(org.task, org.user(role))
    task = refreshed(org.task)
    assert task.status is TaskStatus.DONE
    assert (task.completed_at, task.completed_by_id) == (REPORTED, org.user(role).id)
    assert task.events[-1].kind is EventKind.COMPLETED


def test_with_verification_off_an_owners_mark_done_is_done(app, org) -> None:
    app.config["TRACKER_REQUIRE_ACCEPTANCE"] = False
    report_done(org.task, org.officer)
    task = refreshed(org.task)
    assert task.status is TaskStatus.DONE and task.completed_at == REPORTED
    assert task.events[-1].kind is EventKind.COMPLETED


def test_an_owner_cannot_report_it_done_twice_while_it_waits(org) -> None:
    report_done(org.task, org.officer)
    with pytest.raises(TaskError), unit_of_work():
        services.mark_done(refreshed(org.task), org.officer, "Again.")
    assert refreshed(org.task).completion_note == "Concept approved."


def test_reminders_stop_while_it_awaits_acceptance_and_resume_when_returned(org) -> None:
    """Overdue since 2025-03-31: nothing is planned for it while it waits; once returned,
    the owed overdue notice is planned."""
    report_done(org.task, org.officer)
    plan_reminders(date(2025, 4, 1))

    def planned() -> int:
        query = select(func.count()).select_from(Notification)
        return db.session.scalar(query.where(Notification.task_id == org.task.id)) or 0

    assert planned() == 0
    with unit_of_work():
        verification.return_task(refreshed(org.task), org.manager, "Not signed.")
    plan_reminders(date(2025, 4, 1))
    assert planned() == 1


# --- The pages: mark done → awaiting → return → mark done → accept ------------------------


def test_the_whole_round_on_the_pages(client, org) -> None:
    task_page = f"/tasks/{org.task.id}"
    client.login(org.officer.email)
    client.submit(f"{task_page}/done", {"note": "Concept approved."}, page=task_page)
    html = client.get(task_page).get_data(as_text=True)
    assert "badge-awaiting_acceptance" in html and "Awaiting acceptance" in html
    assert "Waiting for acceptance by the manager." in html
    assert "Sent for acceptance: the task is done once your manager accepts it." in html
    assert "The task is marked done." not in html
    assert f'action="{task_page}/accept"' not in html
    assert refreshed(org.task).status is TaskStatus.AWAITING_ACCEPTANCE

    client.submit("/logout", {}, page="/tasks")
    client.login(org.manager.email)
    html = client.get(task_page).get_data(as_text=True)
    assert f'action="{task_page}/accept"' in html and f'action="{task_page}/return"' in html
    assert "Concept approved." in html
    refused = client.submit(f"{task_page}/return", {"reason": ""}, page=task_page)
    assert refused.status_code == 400  # a reason is required
    assert refreshed(org.task).status is TaskStatus.AWAITING_ACCEPTANCE
    response = client.submit(
        f"{task_page}/return", {"reason": "Attach the signed order."}, page=task_page
    )
    assert response.status_code == 302
    assert refreshed(org.task).status is TaskStatus.IN_PROGRESS

    client.submit("/logout", {}, page="/tasks")
    client.login(org.officer.email)
    html = client.get(task_page).get_data(as_text=True)
    assert "Attach the signed order." in html  # in the history
    client.submit(f"{task_page}/done", {"note": "Signed order attached."}, page=task_page)
    assert refreshed(org.task).status is TaskStatus.AWAITING_ACCEPTANCE

    client.submit("/logout", {}, page="/tasks")
    client.login(org.manager.email)
    response = client.submit(f"{task_page}/accept", {"note": ""}, page=task_page)
    assert response.status_code == 302
    task = refreshed(org.task)
    assert task.status is TaskStatus.DONE
    assert task.completion_note == "Signed order attached."
    assert task.completed_by_id == org.officer.id
    assert [e.kind for e in task.events][1:] == [
        EventKind.AWAITING_ACCEPTANCE,
        EventKind.RETURNED,
        EventKind.AWAITING_ACCEPTANCE,
        EventKind.ACCEPTED,
    ]
    html = client.get(task_page).get_data(as_text=True)
    assert "accepted the task as done" in html and "badge-done" in html
