"""Extensions as a workflow (#11 item 1): an owner asks for more time, a manager approves
(the deadline moves, the old one stays in the history, the reminders start afresh) or
refuses; a task has at most one pending request, which the database enforces too."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import listen, refreshed, requests_of
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.models import (
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Notification,
    Task,
)
from tracker.notifications.jobs import plan_reminders
from tracker.tasks import events, extensions, services
from tracker.tasks.services import TaskError
from tracker.unit_of_work import unit_of_work

NEW_DEADLINE = date(2026, 7, 31)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories and client, on each migrated database."""
    return any_database_app


@pytest.fixture
def heard(app: Flask) -> list[object]:
    """The extension events this application announces."""
    return listen(app, events.extension_requested, events.extension_decided)


def ask(task: Task, owner, deadline: date = NEW_DEADLINE, reason: str = "Ministry.") -> int:
    with unit_of_work():
        request = services.request_extension(task, owner, deadline, reason)
    return request.id


# --- Services ------------------------------------------------------------------------------


def test_a_request_is_pending_recorded_and_announced_with_itself(org, heard) -> None:
    request_id = ask(org.task, org.officer)
    (request,) = requests_of(org.task)
    assert request.id == request_id
    assert (request.status, request.current_deadline, request.proposed_deadline) == (
        ExtensionStatus.PENDING,
        date(2025, 3, 31),
        NEW_DEADLINE,
    )
    assert (request.requested_by_id, request.reason) == (org.officer.id, "Ministry.")
    event = refreshed(org.task).events[-1]
    assert (event.kind, event.new_value, event.note) == (
        EventKind.EXTENSION_REQUESTED,
        NEW_DEADLINE.isoformat(),
        "Ministry.",
    )
    (payload,) = heard
    assert isinstance(payload, events.ExtensionRequested)
    assert payload.request is not None and payload.request.id == request_id


def test_a_second_request_waits_for_the_first_decision(org) -> None:
    ask(org.task, org.officer)
    with pytest.raises(TaskError, match="already has a request waiting"), unit_of_work():
        services.request_extension(org.task, org.officer, date(2026, 8, 31), "Again.")
    assert [r.status for r in requests_of(org.task)] == [ExtensionStatus.PENDING]


def test_two_requests_made_at_once_leave_one_pending(app, org, monkeypatch) -> None:
    """The check saw no pending request (the other was not committed yet): the partial
    unique index refuses the second insert, and the owner is told as by the check."""
    ask(org.task, org.officer)
    monkeypatch.setattr(services, "pending_request", lambda task: None)
    with pytest.raises(TaskError, match="already has a request waiting"), unit_of_work():
        services.request_extension(org.task, org.officer, date(2026, 8, 31), "At once.")
    assert [r.reason for r in requests_of(org.task)] == ["Ministry."]


def test_the_database_refuses_a_second_pending_request_from_another_connection(app, org) -> None:
    """Two transactions, each inserting a pending request for the same task: the second
    commit fails on the partial unique index; a decided request does not count."""
    table = ExtensionRequest.__table__

    def row(status: str) -> dict[str, object]:
        return {
            "task_id": org.task.id,
            "requested_at": sa.func.now(),
            "proposed_deadline": NEW_DEADLINE,
            "reason": "race",
            "status": status,
        }

    with db.engine.connect() as first, db.engine.connect() as second:
        first.execute(table.insert().values(row("pending")))
        first.commit()
        second.execute(table.insert().values(row("refused")))  # decided: allowed
        with pytest.raises(sa.exc.IntegrityError):
            second.execute(table.insert().values(row("pending")))
        second.rollback()
    assert [r.status for r in requests_of(org.task)] == [ExtensionStatus.PENDING]


def test_approving_moves_the_deadline_and_keeps_the_old_one(org, heard, clock) -> None:
    request_id = ask(org.task, org.officer)
    request = db.session.get_one(ExtensionRequest, request_id)
    with unit_of_work():
        extensions.approve(request, org.manager, "Agreed with the ministry.")
    task = refreshed(org.task)
    assert task.deadline == NEW_DEADLINE
    event = task.events[-1]
    assert (event.kind, event.old_value, event.new_value, event.note) == (
        EventKind.EXTENSION_APPROVED,
        "2025-03-31",
        "2026-07-31",
        "Agreed with the ministry.",
    )
    (request,) = requests_of(org.task)
    assert (request.status, request.decided_by_id, request.decision_note) == (
        ExtensionStatus.APPROVED,
        org.manager.id,
        "Agreed with the ministry.",
    )
    assert request.decided_at is not None
    decided = heard[-1]
    assert isinstance(decided, events.ExtensionDecided) and decided.approved


def test_approving_without_a_note_records_the_owners_reason(org) -> None:
    request_id = ask(org.task, org.officer, reason="The ministry has not answered.")
    with unit_of_work():
        extensions.approve(db.session.get_one(ExtensionRequest, request_id), org.staff)
    assert refreshed(org.task).events[-1].note == "The ministry has not answered."
    assert requests_of(org.task)[0].decision_note is None


def test_refusing_keeps_the_deadline_and_says_why(org, heard) -> None:
    request_id = ask(org.task, org.officer)
    with unit_of_work():
        extensions.refuse(
            db.session.get_one(ExtensionRequest, request_id), org.manager, "Not possible."
        )
    task = refreshed(org.task)
    assert task.deadline == date(2025, 3, 31)
    event = task.events[-1]
    assert (event.kind, event.new_value, event.note) == (
        EventKind.EXTENSION_REFUSED,
        "2026-07-31",
        "Not possible.",
    )
    (request,) = requests_of(org.task)
    assert (request.status, request.decision_note) == (ExtensionStatus.REFUSED, "Not possible.")
    decided = heard[-1]
    assert isinstance(decided, events.ExtensionDecided) and not decided.approved
    ask(org.task, org.officer, date(2026, 6, 30), "A shorter delay?")  # a new one may follow


def test_a_decided_request_cannot_be_decided_again(org) -> None:
    request_id = ask(org.task, org.officer)
    with unit_of_work():
        extensions.refuse(db.session.get_one(ExtensionRequest, request_id), org.manager, "No.")
    request = db.session.get_one(ExtensionRequest, request_id)
    with pytest.raises(TaskError, match="already decided"), unit_of_work():
        extensions.approve(request, org.manager)
    assert refreshed(org.task).deadline == date(2025, 3, 31)


def test_two_managers_deciding_at_once_decide_once(org, monkeypatch) -> None:
    """The second saw the request pending (the first had not committed yet): its
    conditional update finds no pending request, and nothing of its decision is kept."""
    request_id = ask(org.task, org.officer)
    request = db.session.get_one(ExtensionRequest, request_id)
    with unit_of_work():
        extensions.refuse(request, org.manager, "No.")
    monkeypatch.setattr(extensions, "_require_pending", lambda request: None)
    with pytest.raises(TaskError, match="already decided"), unit_of_work():
        extensions.approve(db.session.get_one(ExtensionRequest, request_id), org.staff)
    task = refreshed(org.task)
    assert task.deadline == date(2025, 3, 31)
    assert task.events[-1].kind is EventKind.EXTENSION_REFUSED
    (request,) = requests_of(org.task)
    assert (request.status, request.decided_by_id) == (ExtensionStatus.REFUSED, org.manager.id)


@pytest.mark.parametrize("closing", ["deadline", "cancel", "done"])
def test_a_pending_request_is_withdrawn_when_the_task_moves_on(org, closing: str) -> None:
    ask(org.task, org.officer)
    with unit_of_work():
        if closing == "deadline":
            services.change_deadline(org.task, org.manager, date(2026, 9, 30), "Set directly.")
        elif closing == "cancel":
            services.cancel(org.task, org.manager, "Dropped.")
        else:
            services.mark_done(org.task, org.officer, "Done after all.")
    (request,) = requests_of(org.task)
    assert request.status is ExtensionStatus.WITHDRAWN
    assert request.decided_at is not None
    if closing == "deadline":  # still open: the owner may ask again
        ask(org.task, org.officer, date(2026, 12, 31), "Once more.")
        assert [r.status for r in requests_of(org.task)][-1] is ExtensionStatus.PENDING


def test_the_email_link_creates_a_request(app, org) -> None:
    token = ActionLinkSigner(app.config["SECRET_KEY"]).make(
        org.task.id, org.officer.id, Action.EXTEND
    )
    link = services.read_action_link(
        token, org.officer, secret_key=app.config["SECRET_KEY"], max_age_days=14
    )
    with unit_of_work():
        services.request_extension_from_link(link, org.task, org.officer, NEW_DEADLINE, "Mail.")
    assert [(r.status, r.reason) for r in requests_of(org.task)] == [
        (ExtensionStatus.PENDING, "Mail.")
    ]


def _planned(task: Task, deadline: date) -> list[tuple[str, int]]:
    query = select(Notification.kind, Notification.level).where(
        Notification.task_id == task.id, Notification.deadline == deadline
    )
    return sorted((str(kind), level) for kind, level in db.session.execute(query))


def test_an_approved_deadline_gets_a_fresh_set_of_reminders(org, clock) -> None:
    """Planned for the old deadline: the overdue notices. After the approval, the planner
    owes the new deadline its own reminders (the dedupe key holds the deadline)."""
    org.digital.head = org.manager
    db.session.commit()
    plan_reminders(date(2025, 4, 3))  # 3 working days overdue: notice and escalation
    old_set = _planned(org.task, date(2025, 3, 31))
    assert {kind for kind, _ in old_set} == {"overdue", "escalation"}

    request_id = ask(org.task, org.officer, date(2025, 4, 30))
    with unit_of_work():
        extensions.approve(db.session.get_one(ExtensionRequest, request_id), org.manager)
    plan_reminders(date(2025, 4, 21))  # 7 working days before the new deadline
    plan_reminders(date(2025, 4, 30))  # the new deadline's day
    fresh = _planned(org.task, date(2025, 4, 30))
    assert fresh == [("due_today", 0), ("reminder", 7)], fresh
    assert _planned(org.task, date(2025, 3, 31)) == old_set  # the old set is kept, not resent
    total = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.task_id == org.task.id)
    )
    assert total == len(old_set) + 2


# --- Pages ---------------------------------------------------------------------------------


def test_asking_on_the_task_page_then_approving_from_the_requests_list(client, org) -> None:
    client.login(org.officer.email)
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/{org.task.id}/extension"' in page
    response = client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "2026-07-31", "reason": "The ministry has not answered."},
        page=f"/tasks/{org.task.id}",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Your request for more time was sent to your manager." in html
    assert "This request is waiting for a decision." in html
    assert f'action="/tasks/{org.task.id}/extension"' not in html  # one at a time
    (request,) = requests_of(org.task)

    client.submit("/logout", {}, page="/tasks")
    client.login(org.manager.email)
    listing = client.get("/tasks/requests").get_data(as_text=True)
    assert "Requests (1)" in listing
    assert "The ministry has not answered." in listing
    response = client.submit(
        f"/tasks/requests/{request.id}/approve",
        {"note": "", "back": "requests"},
        page="/tasks/requests",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks/requests"
    task = refreshed(org.task)
    assert task.deadline == NEW_DEADLINE
    kinds = [event.kind for event in task.events]
    assert kinds[-2:] == [EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_APPROVED]
    assert requests_of(org.task)[0].status is ExtensionStatus.APPROVED
    after = client.get("/tasks/requests").get_data(as_text=True)
    assert "Requests (0)" in after and "No requests wait for your decision." in after


def test_asking_then_refusing_on_the_task_page(client, org) -> None:
    client.login(org.officer.email)
    client.submit(
        f"/tasks/{org.task.id}/extension",
        {"deadline": "2026-07-31", "reason": "Holidays."},
        page=f"/tasks/{org.task.id}",
    )
    (request,) = requests_of(org.task)
    client.submit("/logout", {}, page="/tasks")
    client.login(org.manager.email)
    page = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert f'action="/tasks/requests/{request.id}/refuse"' in page
    response = client.submit(
        f"/tasks/requests/{request.id}/refuse",
        {"reason": "The Governor needs it now."},
        page=f"/tasks/{org.task.id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tasks/{org.task.id}"
    assert refreshed(org.task).deadline == date(2025, 3, 31)
    (request,) = requests_of(org.task)
    assert (request.status, request.decision_note) == (
        ExtensionStatus.REFUSED,
        "The Governor needs it now.",
    )
    history = client.get(f"/tasks/{org.task.id}").get_data(as_text=True)
    assert "refused the request for more time" in history
    assert "The Governor needs it now." in history
