"""Extensions as a workflow (#11 item 1): a manager approves or refuses an owner's request
for more time, in one step each, and sees the requests waiting for them.

The request itself is made by `services.request_extension` (from the task page or an
email link); a request still pending when the task closes or its deadline is set directly
is withdrawn there (`services.withdraw_pending_request`). Like every service, these never
commit: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import EventKind, ExtensionRequest, ExtensionStatus, Task, User, utcnow
from tracker.tasks import events
from tracker.tasks.permissions import can_manage, managed_by, require
from tracker.tasks.services import TaskError, _deadline_label, _require_active, record_event

_ALREADY_DECIDED = _l("This request was already decided.")


def _require_pending(request: ExtensionRequest) -> None:
    if request.status is not ExtensionStatus.PENDING:
        raise TaskError(_ALREADY_DECIDED)


def _decide(
    request: ExtensionRequest,
    actor: User,
    status: ExtensionStatus,
    note: str | None,
    now: datetime,
) -> None:
    """Decide the request once. The conditional update is the check: of two managers
    deciding at the same moment, the second (waiting for the first on PostgreSQL) updates
    nothing and is told it was already decided."""
    statement = (
        update(ExtensionRequest)
        .where(
            ExtensionRequest.id == request.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .values(status=status, decided_by_id=actor.id, decided_at=now, decision_note=note or None)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult, which Session.execute's signature does not say.
    decided = cast("CursorResult[Any]", db.session.execute(statement))
    if decided.rowcount != 1:
        raise TaskError(_ALREADY_DECIDED)
    db.session.refresh(request)


def approve(
    request: ExtensionRequest, actor: User, note: str = "", *, now: datetime | None = None
) -> None:
    """The deadline moves to the date asked for; the history keeps the old one, with the
    manager's note (or, without one, the owner's reason). The new deadline's reminders
    start afresh by themselves: a notification's dedupe key holds the deadline."""
    task = request.task
    require(can_manage(actor, task))
    _require_pending(request)
    _require_active(task)
    now = now or utcnow()
    _decide(request, actor, ExtensionStatus.APPROVED, note, now)
    record_event(
        task,
        actor,
        EventKind.EXTENSION_APPROVED,
        field="deadline",
        old=_deadline_label(task.deadline, task.deadline_text),
        new=request.proposed_deadline.isoformat(),
        note=note or request.reason,
        now=now,
    )
    task.deadline = request.proposed_deadline
    # The phrase from the report described the old date; keeping it would contradict the new one.
    task.deadline_text = None
    events.extension_decided.announce(events.ExtensionDecided(task, actor, request, True))


def refuse(
    request: ExtensionRequest, actor: User, reason: str, *, now: datetime | None = None
) -> None:
    """The deadline stays; the owner is told why (the reason is required)."""
    task = request.task
    require(can_manage(actor, task))
    _require_pending(request)
    _require_active(task)
    if not reason.strip():
        raise TaskError(_l("Say why the request is refused."))
    now = now or utcnow()
    _decide(request, actor, ExtensionStatus.REFUSED, reason, now)
    record_event(
        task,
        actor,
        EventKind.EXTENSION_REFUSED,
        field="deadline",
        old=_deadline_label(task.deadline, task.deadline_text),
        new=request.proposed_deadline.isoformat(),
        note=reason,
        now=now,
    )
    events.extension_decided.announce(events.ExtensionDecided(task, actor, request, False))


# --- The managers' "requests" list --------------------------------------------------------


def _decidable_by(user: User) -> Select[ExtensionRequest]:
    """Pending requests on tasks the user may manage (every one for staff and admins)."""
    return (
        select(ExtensionRequest)
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING, managed_by(user))
    )


def pending_count(user: User) -> int:
    """How many requests wait for this user's decision (the menu's count): one COUNT."""
    query = _decidable_by(user).with_only_columns(func.count(ExtensionRequest.id))
    return db.session.scalar(query) or 0


def pending_page(user: User, page: int, per_page: int) -> tuple[Sequence[ExtensionRequest], int]:
    """One page of the requests waiting for this user, oldest first, and how many in all."""
    total = pending_count(user)
    query = (
        _decidable_by(user)
        .options(
            joinedload(ExtensionRequest.task).selectinload(Task.owners),
            joinedload(ExtensionRequest.requested_by),
        )
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return db.session.scalars(query).all(), total
