"""The trends' tasks that did not change during the months counted, counted by the database.

A task with no status or deadline change from the first moment counted on (its creation
aside, which undoes nothing) stood at every moment counted where it stands now, once it
existed: its current status, deadline and completion time. Such tasks, most of them in an
old database, need no replay (tracker/dashboard/history.py): one grouped query counts them
by status, by the first moment at which each existed, by the first day on which its
deadline had passed, and by whether it was done on time; Python spreads the few groups over
the months. Only the tasks that changed are read one by one and replayed.

A task done now whose completion no event recorded (older data) is done only from its
completed_at on (history.py): one done during the months counted, or without a completion
time, is left to the replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Interval,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased

from tracker.dashboard.history import DEADLINE_FIELD, DEADLINE_MOVES, STATUS_FIELD
from tracker.extensions import db
from tracker.models import Department, EventKind, Task, TaskEvent, TaskStatus, User, task_owners


@dataclass(frozen=True)
class QuietGroup:
    """Tasks that stood alike at every moment counted: their status (from the moment
    `switched` on; `before` it, for a task whose one change came then), the first moment
    they existed at, the first day on which their deadline had passed, done on time."""

    status: TaskStatus
    existed: int
    passed: int
    on_time: bool
    count: int
    switched: int = 0
    before: TaskStatus | None = None

    def status_at(self, index: int) -> TaskStatus | None:
        return self.status if index >= self.switched else self.before


def _is_change(event: Any, moment: datetime) -> list[ColumnElement[bool]]:
    return [
        event.created_at >= moment,
        event.kind != EventKind.CREATED,
        or_(
            event.field == STATUS_FIELD,
            and_(event.field == DEADLINE_FIELD, event.kind.in_(DEADLINE_MOVES)),
        ),
    ]


def _changed_tasks(moment: datetime) -> Any:
    """The ids of the tasks with a status or deadline change at or after `moment`: one pass
    over the events of that time (an uncorrelated subquery, hashed once, never an EXISTS
    probed per task)."""
    event = aliased(TaskEvent, name="trend_change")
    return select(event.task_id).where(*_is_change(event, moment))


def _completion_unknown(moment: datetime, task: Any = Task) -> ColumnElement[bool]:
    return and_(
        task.status == TaskStatus.DONE,
        or_(task.completed_at.is_(None), task.completed_at >= moment),
    )


def _one_change(moment: datetime, task: Any = Task) -> tuple[Any, Any, list[ColumnElement[bool]]]:
    """The tasks whose only change from `moment` on is a status change from a status other
    than done (open to done, to cancelled, to in progress, awaiting to accepted, a draft
    confirmed): before it they stood in the old status with the deadline of now, after it
    as now. (A task done now had that change make it done.) The subquery of those single
    changes, the change's event, and the conditions on the task and the event."""
    counted = aliased(TaskEvent, name="trend_counted")
    singles = (
        select(counted.task_id.label("task_id"), func.min(counted.id).label("event_id"))
        .where(*_is_change(counted, moment))
        .group_by(counted.task_id)
        .having(func.count() == 1)
        .subquery("trend_single")
    )
    change = aliased(TaskEvent, name="trend_single_change")
    conditions = [
        change.field == STATUS_FIELD,
        change.old_value.is_not(None),
        change.old_value != TaskStatus.DONE.value,
        or_(
            task.status != TaskStatus.DONE,
            and_(change.new_value == TaskStatus.DONE.value, task.completed_at.is_not(None)),
        ),
    ]
    return singles, change, conditions


def _one_change_tasks(moment: datetime) -> Any:
    own = aliased(Task, name="trend_single_task")
    singles, change, conditions = _one_change(moment, own)
    return (
        select(own.id)
        .join(singles, singles.c.task_id == own.id)
        .join(change, change.id == singles.c.event_id)
        .where(*conditions)
    )


def changed_since(moment: datetime) -> ColumnElement[bool]:
    """The task changed more than `one_change` allows at or after `moment`, or was done then
    (or at an unknown time) without an event saying so: the replay counts it."""
    return and_(
        or_(Task.id.in_(_changed_tasks(moment)), _completion_unknown(moment)),
        Task.id.not_in(_one_change_tasks(moment)),
    )


def unchanged_since(moment: datetime) -> ColumnElement[bool]:
    """No change at or after `moment` (its creation aside): the database counts the task."""
    return and_(Task.id.not_in(_changed_tasks(moment)), ~_completion_unknown(moment))


def _first_index(conditions: Sequence[ColumnElement[bool]]) -> Any:
    """The index of the first condition that holds (each implies the next), or their count."""
    return case(
        *((condition, index) for index, condition in enumerate(conditions)),
        else_=len(conditions),
    )


def end_of_deadline_day(timezone: str, today: date) -> Any:
    """The first instant after the deadline's day in the organisation's time zone (UTC).
    PostgreSQL knows the zone's rules; SQLite shifts by the zone's offset of `today` (exact
    for a zone without summer time, as Asia/Yerevan)."""
    if db.session.get_bind().dialect.name == "postgresql":
        next_midnight = cast(Task.deadline, DateTime) + literal_column(
            "INTERVAL '1 day'", type_=Interval
        )
        return func.timezone(timezone, next_midnight)
    offset = datetime.combine(today, datetime.min.time(), ZoneInfo(timezone)).utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    return func.datetime(Task.deadline, "+1 day", f"{-seconds:+d} seconds")


def _grouping(
    moments: Sequence[datetime], days: Sequence[date], timezone: str
) -> tuple[Any, Any, Any]:
    existed = _first_index([Task.created_at < moment for moment in moments])
    passed = _first_index([Task.deadline < day for day in days])
    on_time = case(
        (
            and_(
                Task.status == TaskStatus.DONE,
                or_(
                    Task.deadline.is_(None),
                    Task.completed_at < end_of_deadline_day(timezone, days[-1]),
                ),
            ),
            1,
        ),
        else_=0,
    )
    return existed.label("existed"), passed.label("passed"), on_time.label("on_time")


def _groups_query(
    columns: Sequence[Any],
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
    *,
    one_change: bool,
) -> Any:
    """The grouped select over the quiet tasks, or over the tasks with one change (then
    grouped also by the change's moment and the status before it), `columns` first."""
    existed, passed, on_time = _grouping(moments, days, timezone)
    keys = [*columns, Task.status, existed, passed, on_time]
    if not one_change:
        return (
            select(*keys, func.count())
            .select_from(Task)
            .where(*scope, Task.created_at < moments[-1], unchanged_since(moments[0]))
            .group_by(*keys)
        )
    singles, change, conditions = _one_change(moments[0])
    switched = _first_index([change.created_at < moment for moment in moments]).label("switched")
    keys += [switched, change.old_value]
    return (
        select(*keys, func.count())
        .select_from(Task)
        .join(singles, singles.c.task_id == Task.id)
        .join(change, change.id == singles.c.event_id)
        .where(*scope, Task.created_at < moments[-1], *conditions)
        .group_by(*keys)
    )


def _group(row: Sequence[Any], one_change: bool) -> QuietGroup:
    status, existed, passed, on_time = row[:4]
    if not one_change:
        return QuietGroup(status, int(existed), int(passed), bool(on_time), int(row[4]))
    switched, before, count = row[4:]
    return QuietGroup(
        status,
        int(existed),
        int(passed),
        bool(on_time),
        int(count),
        int(switched),
        TaskStatus(before),
    )


def quiet_groups(
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
) -> list[QuietGroup]:
    """The quiet tasks and the tasks with one change of the scope, grouped (two passes, a
    few hundred groups at most)."""
    return [
        _group(row, one_change)
        for one_change in (False, True)
        for row in db.session.execute(
            _groups_query([], scope, moments, days, timezone, one_change=one_change)
        )
    ]


def department_pairs(departments: Sequence[int] | None) -> Any:
    """(task, department) for each department a task belongs to (its owners', its own
    without owners), each pair once."""
    link = task_owners.alias("trend_link")
    person = aliased(User, name="trend_owner")
    owned = (
        select(link.c.task_id.label("task_id"), person.department_id.label("department_id"))
        .join(person, person.id == link.c.user_id)
        .where(person.department_id.is_not(None))
    )
    own = aliased(Task, name="trend_own")
    any_owner = task_owners.alias("trend_any_owner")
    unowned = select(own.id, own.department_id).where(
        own.department_id.is_not(None), ~exists().where(any_owner.c.task_id == own.id)
    )
    if departments is not None:
        owned = owned.where(person.department_id.in_(departments))
        unowned = unowned.where(own.department_id.in_(departments))
    return union(owned, unowned).subquery("trend_pairs")


def quiet_groups_by_department(
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
    departments: Sequence[int] | None,
) -> list[tuple[int, QuietGroup]]:
    """The same groups for each department a task belongs to, each task once a department."""
    found = []
    for one_change in (False, True):
        pairs = department_pairs(departments)
        query = _groups_query(
            [pairs.c.department_id], scope, moments, days, timezone, one_change=one_change
        ).join(pairs, pairs.c.task_id == Task.id)
        found += [(int(row[0]), _group(row[1:], one_change)) for row in db.session.execute(query)]
    return found


def _tree_closure() -> Any:
    """(department, root) for each department and every department above it, itself
    included: a recursive walk up the parents (a few rows a department)."""
    department = aliased(Department, name="trend_tree_department")
    closure = select(department.id.label("department_id"), department.id.label("root_id")).cte(
        "trend_closure", recursive=True
    )
    parent = aliased(Department, name="trend_tree_parent")
    return closure.union_all(
        select(closure.c.department_id, parent.parent_id)
        .join(parent, parent.id == closure.c.root_id)
        .where(parent.parent_id.is_not(None))
    )


def _tree_pairs() -> Any:
    """(task, root) for each tree a task belongs to (a department of its owners, or its
    own without owners, at or below the root), each pair once."""
    pairs = department_pairs(None)
    closure = _tree_closure()
    return (
        select(pairs.c.task_id.label("task_id"), closure.c.root_id.label("root_id"))
        .join(closure, closure.c.department_id == pairs.c.department_id)
        .distinct()
        .subquery("trend_tree_pairs")
    )


def quiet_groups_by_tree(
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
) -> list[tuple[int, QuietGroup]]:
    """The same groups for each tree (a department and those below it), each task once a
    tree however many of its owners work in it."""
    found = []
    for one_change in (False, True):
        pairs = _tree_pairs()
        query = _groups_query(
            [pairs.c.root_id], scope, moments, days, timezone, one_change=one_change
        ).join(pairs, pairs.c.task_id == Task.id)
        found += [(int(row[0]), _group(row[1:], one_change)) for row in db.session.execute(query)]
    return found


def count_of(condition: ColumnElement[bool]) -> Any:
    """How many rows meet `condition` (0 for none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
