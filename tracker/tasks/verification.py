"""Verification of completion (#11 item 3): the person who did the work does not close it
alone (the GAO's and the IIA's follow-up practice). An owner's "mark done" puts the task in
awaiting acceptance (`services.mark_done`, when TRACKER_REQUIRE_ACCEPTANCE is on); whoever
manages the task (its manager, staff, an admin) accepts it or returns it with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, update

from tracker.extensions import db
from tracker.models import EventKind, Task, TaskStatus, User, utcnow
from tracker.tasks import events
from tracker.tasks.permissions import can_manage, require
from tracker.tasks.services import TaskError, _set_status

_NOT_AWAITING = _l("This task is not waiting for acceptance.")


def _require_awaiting(task: Task) -> None:
    if task.status is not TaskStatus.AWAITING_ACCEPTANCE:
        raise TaskError(_NOT_AWAITING)


def _claim(task: Task, status: TaskStatus) -> None:
    """Take the task out of awaiting acceptance once. The conditional update is the check:
    of an acceptance and a return sent at the same moment, the second (waiting for the
    first on PostgreSQL) updates nothing and is told the task no longer waits."""
    statement = (
        update(Task)
        .where(Task.id == task.id, Task.status == TaskStatus.AWAITING_ACCEPTANCE)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, which Session.execute's signature does not say.
    if cast("CursorResult[Any]", db.session.execute(statement)).rowcount != 1:
        raise TaskError(_NOT_AWAITING)


def accept(task: Task, actor: User, note: str = "", *, now: datetime | None = None) -> None:
    """The task is done. It was completed when the owner reported it (the work was done
    then, and the on-time figures count that day), by that owner; the acceptance is the
    history's entry, by the acceptor."""
    require(can_manage(actor, task))
    _require_awaiting(task)
    now = now or utcnow()
    _claim(task, TaskStatus.DONE)
    _set_status(task, actor, TaskStatus.DONE, EventKind.ACCEPTED, note or None, now)
    task.completed_at = task.submitted_at or now
    events.task_completed.announce(events.TaskCompleted(task, actor, note))


def return_task(task: Task, actor: User, reason: str, *, now: datetime | None = None) -> None:
    """Back to the owners for more work (in progress), with the reason they are told; the
    reminders of its deadline resume."""
    require(can_manage(actor, task))
    _require_awaiting(task)
    if not reason.strip():
        raise TaskError(_l("Say why the task is returned."))
    now = now or utcnow()
    _claim(task, TaskStatus.IN_PROGRESS)
    _set_status(task, actor, TaskStatus.IN_PROGRESS, EventKind.RETURNED, reason, now)
    task.submitted_at = None
    task.completed_by = None
    events.task_returned.announce(events.TaskReturned(task, actor, reason))
