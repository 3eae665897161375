"""Changing a confirmed task and making one by hand (#11 items 2 and 7).

Managers (of the task's department tree), staff and admins edit a task's wording, give it to
other owners or take owners off it, and reopen a done or cancelled task; staff, admins and
managers also make tasks that come from no report (a meeting, an order). Every change is a
history event with its old and new values, and is announced (tracker.tasks.events) so the
notifications tell the people concerned. Like every service here, these never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    CLOSED_STATUSES,
    UNFINISHED_STATUSES,
    EventKind,
    Role,
    Task,
    TaskStatus,
    User,
    utcnow,
)
from tracker.tasks import events
from tracker.tasks.permissions import OVERSEERS, can_manage, department_subtree_ids, require
from tracker.tasks.services import TaskError, change_deadline, create_task, record_event

# The wording a manager may change after confirmation, in the order the history lists it.
EDITABLE_FIELDS = ("title", "description", "expected_result", "method")
TITLE_LENGTH = 500


def owner_candidates() -> Sequence[User]:
    """Whom a task may be given to: every active user, by name, with their department.

    The review page has its own (tracker.reports.access), which this package may not import;
    both mean the same people."""
    query = (
        select(User)
        .where(User.active.is_(True))
        .options(selectinload(User.department))
        .order_by(User.name, User.id)
    )
    return db.session.scalars(query).all()


def may_create_tasks(user: User) -> bool:
    """Who makes tasks by hand: those who look after other people's tasks."""
    return user.role in OVERSEERS


def _require_unfinished(task: Task) -> None:
    if task.status not in UNFINISHED_STATUSES:
        raise TaskError(_l("Reopen the task before changing it."))


def _names(users: Sequence[User]) -> str:
    return ", ".join(sorted(user.name for user in users))


def _require_owners(owners: Sequence[User]) -> list[User]:
    """The owners without repeats; at least one, every one able to sign in."""
    unique = list(dict.fromkeys(owners))
    if not unique:
        raise TaskError(_l("Choose at least one responsible person."))
    if any(not user.active for user in unique):
        raise TaskError(_l("A deactivated user cannot be responsible for a task."))
    return unique


def _manager_tree(actor: User) -> set[int] | None:
    """The departments a manager looks after (None for staff and admins, who see all)."""
    if actor.role is not Role.MANAGER:
        return None
    if actor.department_id is None:
        return set()
    return set(db.session.scalars(department_subtree_ids(actor.department_id)))


def _require_owner_in_tree(actor: User, owners: Sequence[User]) -> list[User]:
    """A manager sees the tasks of their department tree only: a task they make or reassign
    keeps at least one owner there, or it would leave their sight (and their hands) at once.
    They may still add someone from another department beside them. Returns the owners with
    those of the manager's tree first, so a new task belongs to the manager's department."""
    tree = _manager_tree(actor)
    if tree is None:
        return list(owners)
    ours = [user for user in owners if user.department_id in tree]
    if not ours:
        raise TaskError(
            _l("At least one responsible person must work in your department or below it.")
        )
    return ours + [user for user in owners if user not in ours]


def _department_after(task: Task, owners: Sequence[User]) -> int | None:
    """The task stays in its department while one of its owners still works there, so the
    manager who looks after it keeps it; otherwise it goes to the first owner's."""
    departments = [user.department_id for user in owners]
    if task.department_id is not None and task.department_id in departments:
        return task.department_id
    return departments[0]


def change_owners(
    task: Task, actor: User, owners: Sequence[User], *, now: datetime | None = None
) -> None:
    """Give the task to `owners`: those added and those taken off are told."""
    require(can_manage(actor, task))
    _require_unfinished(task)
    new_owners = _require_owner_in_tree(actor, _require_owners(owners))
    old_owners = list(task.owners)
    added = tuple(user for user in new_owners if user not in old_owners)
    removed = tuple(user for user in old_owners if user not in new_owners)
    if not added and not removed:
        raise TaskError(_l("Nothing changed."))
    record_event(
        task,
        actor,
        EventKind.OWNERS_CHANGED,
        field="owners",
        old=_names(old_owners),
        new=_names(new_owners),
        now=now,
    )
    task.owners = new_owners
    task.department_id = _department_after(task, new_owners)
    db.session.flush()
    events.owners_changed.announce(events.OwnersChanged(task, actor, added, removed))


@dataclass(frozen=True)
class Wording:
    """What a task says: the fields `edit_task` changes."""

    title: str
    description: str = ""
    expected_result: str | None = None
    method: str | None = None


def _stored(field: str, value: str | None) -> str | None:
    """A field's value as the task keeps it: trimmed; an empty optional field is None."""
    text = (value or "").strip()
    if field == "title":
        return text[:TITLE_LENGTH]
    if field == "description":
        return text
    return text or None


def edit_task(task: Task, actor: User, wording: Wording, *, now: datetime | None = None) -> None:
    """Change the task's wording: one history event per changed field, one announcement."""
    require(can_manage(actor, task))
    _require_unfinished(task)
    if not wording.title.strip():
        raise TaskError(_l("A task needs a title."))
    now = now or utcnow()
    changes: dict[str, tuple[str | None, str | None]] = {}
    for field in EDITABLE_FIELDS:
        old = getattr(task, field)
        new = _stored(field, getattr(wording, field))
        if (old or None) == (new or None):
            continue
        record_event(task, actor, EventKind.EDITED, field=field, old=old, new=new, now=now)
        setattr(task, field, new)
        changes[field] = (old, new)
    if not changes:
        raise TaskError(_l("Nothing changed."))
    db.session.flush()
    events.task_edited.announce(events.TaskEdited(task, actor, changes))


def reopen(
    task: Task,
    actor: User,
    reason: str,
    *,
    deadline: date | None = None,
    now: datetime | None = None,
) -> None:
    """A done or cancelled task goes back to work (in progress), with the reason.

    Its completion time is cleared, so the figures of tasks done stay true; the note and
    the evidence stay in the history. A new deadline may be given at once: without one, a
    deadline that has passed makes the task overdue from now on, as it is."""
    require(can_manage(actor, task))
    if task.status not in CLOSED_STATUSES:
        raise TaskError(_l("Only a done or cancelled task can be reopened."))
    if not reason.strip():
        raise TaskError(_l("Say why the task is reopened."))
    now = now or utcnow()
    record_event(
        task,
        actor,
        EventKind.REOPENED,
        field="status",
        old=task.status.value,
        new=TaskStatus.IN_PROGRESS.value,
        note=reason,
        now=now,
    )
    task.status = TaskStatus.IN_PROGRESS
    task.completed_at = None
    task.completed_by = None
    if deadline is not None and deadline != task.deadline:
        change_deadline(task, actor, deadline, reason, now=now)
    db.session.flush()
    events.task_reopened.announce(events.TaskReopened(task, actor, reason))


@dataclass(frozen=True)
class HandMadeTask:
    """A task that comes from no report, as the form gives it."""

    wording: Wording
    owners: Sequence[User]
    source_note: str
    deadline: date | None = None


def create_by_hand(actor: User, new: HandMadeTask, *, now: datetime | None = None) -> Task:
    """An open task made by hand; its owners are told they were given it."""
    require(may_create_tasks(actor))
    owners = _require_owner_in_tree(actor, _require_owners(new.owners))
    source_note = new.source_note.strip()
    if not source_note:
        raise TaskError(_l("Say where the task comes from."))
    task = create_task(
        _stored("title", new.wording.title) or "",
        owners,
        actor=actor,
        description=_stored("description", new.wording.description) or "",
        deadline=new.deadline,
        expected_result=_stored("expected_result", new.wording.expected_result),
        method=_stored("method", new.wording.method),
        source_note=source_note,
        created_by=actor,
        now=now,
    )
    db.session.flush()
    events.owners_changed.announce(
        events.OwnersChanged(task, actor, added=tuple(owners), removed=())
    )
    return task
