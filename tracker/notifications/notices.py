"""What people are told about tasks: one `Notice` per person per event, written by the
receivers of the tasks' domain events in the transaction of the change itself.

Owners hear what happens to their tasks; the deciders (whoever the task's first escalation
reaches, `messages.deciders`) hear what waits for them or is finished; a discussion's
participants hear of a new comment. Nobody is told of their own action, and nobody hears of
a draft. Each notice is listed in the app and mailed by the event mailer (event_mail.py)
once its digest window has closed, unless its kind is informational and the person switched
those emails off (`email_state`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    EventKind,
    Notice,
    NoticeEmail,
    NoticeKind,
    Task,
    TaskComment,
    TaskStatus,
    User,
    utcnow,
)
from tracker.notifications.messages import deciders
from tracker.permissions import PermissionDenied
from tracker.tasks import events

# --- Which kinds may be switched off (pure: no Flask, no database) -------------------------

# Told for information: the person need not act, and may turn these emails off (the notices
# stay in the app). Everything else is a change to one's own work (assigned, unassigned, a
# new deadline, returned, reopened, a decision on one's request) or a decision waiting for
# one (awaiting acceptance, a request for more time): always mailed.
INFORMATIONAL_KINDS = frozenset(
    {
        NoticeKind.EDITED,
        NoticeKind.OWNERS_CHANGED,
        NoticeKind.STATUS_CHANGED,
        NoticeKind.COMPLETED,
        NoticeKind.COMMENTED,
    }
)
MANDATORY_KINDS = frozenset(NoticeKind) - INFORMATIONAL_KINDS


# A change of status that is someone else's decision on the owners' work: a manager accepted
# what they reported done, or cancelled the task. Told as a status change, never switched off.
DECIDED_STATUSES = frozenset({TaskStatus.CANCELLED.value})


def is_informational(kind: NoticeKind, details: Mapping[str, Any] | None = None) -> bool:
    decided = details is not None and (
        bool(details.get("accepted")) or details.get("status") in DECIDED_STATUSES
    )
    if kind is NoticeKind.STATUS_CHANGED and decided:
        return False
    return kind in INFORMATIONAL_KINDS


def email_state(
    kind: NoticeKind, wants_event_emails: bool, details: Mapping[str, Any] | None = None
) -> NoticeEmail:
    """A new notice waits for its email, unless it is informational and the person said no."""
    if is_informational(kind, details) and not wants_event_emails:
        return NoticeEmail.SKIPPED
    return NoticeEmail.PENDING


# --- Recording -----------------------------------------------------------------------------

EXCERPT_LENGTH = 200


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def tell(
    task: Task,
    actor: User | None,
    told: Mapping[NoticeKind, Iterable[User]],
    details: Mapping[str, Any] | None = None,
) -> list[Notice]:
    """One notice per person, of the first kind that names them (so list the more important
    kind first), never to the actor, never about a draft, never to an inactive account."""
    if task.status is TaskStatus.DRAFT:
        return []
    now = utcnow()
    seen = {actor.id} if actor is not None else set()
    notices = []
    for kind, people in told.items():
        for person in people:
            if person.id in seen or not person.active:
                continue
            seen.add(person.id)
            notices.append(
                Notice(
                    user=person,
                    task=task,
                    actor=actor,
                    kind=kind,
                    details=dict(details or {}),
                    created_at=now,
                    email=email_state(kind, person.wants_event_emails, details),
                )
            )
    db.session.add_all(notices)
    return notices


def _owners(task: Task) -> list[User]:
    return list(task.owners)


def _deciders(task: Task, actor: User | None) -> list[User]:
    if actor is None:
        return deciders(task, task.owners[0]) if task.owners else []
    return deciders(task, actor)


def on_owners_changed(change: events.OwnersChanged) -> None:
    task = change.task
    stayed = [owner for owner in task.owners if owner not in change.added]
    tell(
        task,
        change.actor,
        {
            NoticeKind.ASSIGNED: change.added,
            NoticeKind.UNASSIGNED: change.removed,
            NoticeKind.OWNERS_CHANGED: stayed,
        },
        {
            "added": [user.name for user in change.added],
            "removed": [user.name for user in change.removed],
        },
    )


def on_deadline_changed(change: events.DeadlineChanged) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.DEADLINE_CHANGED: _owners(change.task)},
        {"old": _day(change.old), "new": _day(change.new), "reason": _excerpt(change.reason)},
    )


def on_task_edited(change: events.TaskEdited) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.EDITED: _owners(change.task)},
        {"fields": sorted(change.changes)},
    )


def _accepted(task: Task) -> bool:
    """Whether the task was just accepted as done (verification.accept), not marked done by
    someone who may close it alone: the history's newest entry says which."""
    return bool(task.events) and task.events[-1].kind is EventKind.ACCEPTED


def on_task_completed(change: events.TaskCompleted) -> None:
    # The deciders first: a head who also owns the task hears it is done, once.
    details: dict[str, Any] = {"status": TaskStatus.DONE.value, "note": _excerpt(change.note)}
    if _accepted(change.task):
        # The owners reported it done themselves: they are told it was accepted.
        details["accepted"] = True
    tell(
        change.task,
        change.actor,
        {
            NoticeKind.COMPLETED: _deciders(change.task, change.actor),
            NoticeKind.STATUS_CHANGED: _owners(change.task),
        },
        details,
    )


def on_task_cancelled(change: events.TaskCancelled) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.STATUS_CHANGED: _owners(change.task)},
        {"status": TaskStatus.CANCELLED.value, "note": _excerpt(change.reason)},
    )


def on_awaiting_acceptance(change: events.AwaitingAcceptance) -> None:
    tell(
        change.task,
        change.actor,
        {
            NoticeKind.AWAITING_ACCEPTANCE: _deciders(change.task, change.actor),
            NoticeKind.STATUS_CHANGED: _owners(change.task),
        },
        {"status": TaskStatus.AWAITING_ACCEPTANCE.value, "note": _excerpt(change.note)},
    )


def on_task_returned(change: events.TaskReturned) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.RETURNED: _owners(change.task)},
        {"note": _excerpt(change.reason)},
    )


def on_task_reopened(change: events.TaskReopened) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.REOPENED: _owners(change.task)},
        {"note": _excerpt(change.reason)},
    )


def on_extension_requested(change: events.ExtensionRequested) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.EXTENSION_REQUESTED: _deciders(change.task, change.actor)},
        {
            "old": _day(change.task.deadline),
            "new": _day(change.deadline),
            "reason": _excerpt(change.reason),
            "request_id": change.request.id if change.request is not None else None,
        },
    )


def on_extension_decided(change: events.ExtensionDecided) -> None:
    request = change.request
    # Whoever asked hears the answer even if no longer an owner.
    asked = [request.requested_by] if request.requested_by is not None else []
    tell(
        change.task,
        change.actor,
        {NoticeKind.EXTENSION_DECIDED: [*asked, *_owners(change.task)]},
        {
            "approved": change.approved,
            "new": _day(request.proposed_deadline),
            "note": _excerpt(request.decision_note),
            "request_id": request.id,
        },
    )


def discussion_participants(task: Task, author: User) -> list[User]:
    """Who hears of a new comment: the owners, the deciders, and whoever commented before."""
    earlier = db.session.scalars(
        select(User)
        .join(TaskComment, TaskComment.author_id == User.id)
        .where(TaskComment.task_id == task.id)
        .distinct()
        .order_by(User.id)
    ).all()
    return [*task.owners, *deciders(task, author), *earlier]


def on_comment_added(change: events.CommentAdded) -> None:
    tell(
        change.task,
        change.actor,
        {NoticeKind.COMMENTED: discussion_participants(change.task, change.actor)},
        {"excerpt": _excerpt(change.comment.body), "comment_id": change.comment.id},
    )


# --- The notifications page ----------------------------------------------------------------


def unread_count(user: User) -> int:
    """The menu's counter: one COUNT on the (user_id, read_at, id) index."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notice)
            .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


def notices_page(user: User, page: int, per_page: int = 25) -> tuple[list[Notice], bool]:
    """One page of the person's notices, unread first, then the newest; and whether
    another page follows."""
    rows = db.session.scalars(
        select(Notice)
        .where(Notice.user_id == user.id)
        .options(selectinload(Notice.task), selectinload(Notice.actor))
        .order_by(Notice.read_at.is_not(None), Notice.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return list(rows[:per_page]), len(rows) > per_page


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Every unread notice of the person read now; how many there were."""
    result = db.session.execute(
        update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def open_notice(notice: Notice, user: User, *, now: datetime | None = None) -> None:
    """The person opened their notice: it is read (someone else's is not theirs to open)."""
    if notice.user_id != user.id:
        raise PermissionDenied
    if notice.read_at is None:
        notice.read_at = now or utcnow()
