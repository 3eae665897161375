"""Task changes are announced as events; the notifications record the manager's notice of an
extension request in the same transaction (mailed later, in the digest window), loading only
the people it can reach."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from tracker.extensions import db
from tracker.models import EventKind, Notice, NoticeKind, OutboxMessage, Role, Task, TaskEvent, User
from tracker.notifications.messages import deciders
from tracker.tasks import events, services
from tracker.unit_of_work import unit_of_work


def test_each_change_is_announced_once_with_its_payload(app: Flask, org) -> None:
    heard: list[object] = []
    for signal in (
        events.progress_reported,
        events.deadline_changed,
        events.extension_requested,
        events.awaiting_acceptance,
        events.task_completed,
        events.task_cancelled,
    ):
        signal.connect(app, heard.append)
    with unit_of_work():
        services.add_progress(org.task, org.officer, "Started.")
        services.change_deadline(org.task, org.manager, date(2025, 4, 30), "Holidays.")
        services.request_extension(org.task, org.officer, date(2025, 6, 30), "Ministry.")
        services.mark_done(org.task, org.officer, "Done.")  # awaits acceptance
        services.cancel(org.other_task, org.staff, "Dropped.")
    assert [type(payload).__name__ for payload in heard] == [
        "ProgressReported",
        "DeadlineChanged",
        "ExtensionRequested",
        "AwaitingAcceptance",
        "TaskCancelled",
    ]
    changed = heard[1]
    assert isinstance(changed, events.DeadlineChanged)
    assert (changed.old, changed.new) == (date(2025, 3, 31), date(2025, 4, 30))


def test_another_application_does_not_hear_this_ones_events(app: Flask, org) -> None:
    heard: list[object] = []
    events.progress_reported.connect(Flask("elsewhere"), heard.append)
    with unit_of_work():
        services.add_progress(org.task, org.officer, "Started.")
    assert heard == []


def test_a_failing_receiver_rolls_the_change_back(app: Flask, org) -> None:
    def refuse(_payload: events.ExtensionRequested) -> None:
        raise RuntimeError("the outbox is broken")

    events.extension_requested.connect(app, refuse)
    with pytest.raises(RuntimeError), unit_of_work():
        services.request_extension(org.task, org.officer, date(2025, 6, 30), "Ministry.")
    db.session.expire_all()
    kinds = db.session.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == org.task.id))
    assert EventKind.EXTENSION_REQUESTED not in list(kinds)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_requests_notice_is_written_in_the_same_transaction(app: Flask, org) -> None:
    org.development.head = org.manager
    db.session.commit()
    with unit_of_work():
        services.request_extension(org.task, org.officer, date(2025, 6, 30), "Ministry.")
        pending = db.session.scalars(select(Notice)).all()  # before the commit
        assert [(n.user_id, n.kind) for n in pending] == [
            (org.manager.id, NoticeKind.EXTENSION_REQUESTED)
        ]
        # The email waits for the digest window (tracker/notifications/event_mail.py).
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_the_deciders_are_found_without_loading_everyone(app: Flask, org, make_user) -> None:
    org.development.head = org.manager
    db.session.commit()
    for _ in range(30):
        make_user(Role.OFFICER, department=org.cooperation)
    db.session.expire_all()
    task = db.session.get_one(Task, org.task.id)
    officer = db.session.get_one(User, org.officer.id)
    loaded: list[int] = []

    def count(target: User, _context: object) -> None:
        loaded.append(target.id)

    event.listen(User, "load", count)
    try:
        found = deciders(task, officer)
    finally:
        event.remove(User, "load", count)
    assert [user.id for user in found] == [org.manager.id]
    assert set(loaded) <= {org.officer.id, org.manager.id}
