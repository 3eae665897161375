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
from tracker.models import EventKind, Task, TaskEvent, TaskStatus, User, task_owners

# One group of quiet tasks: (status, first moment index it existed at, first day index its
# deadline had passed on, done on time, how many) and, per department, the department first.
QuietGroup = tuple[TaskStatus, int, int, bool, int]


def _changed_tasks(moment: datetime) -> Any:
    """The ids of the tasks with a status or deadline change at or after `moment`: one pass
    over the events of that time (an uncorrelated subquery, hashed once, never an EXISTS
    probed per task)."""
    event = aliased(TaskEvent, name="trend_change")
    is_change = or_(
        event.field == STATUS_FIELD,
        and_(event.field == DEADLINE_FIELD, event.kind.in_(DEADLINE_MOVES)),
    )
    return select(event.task_id).where(
        event.created_at >= moment, event.kind != EventKind.CREATED, is_change
    )


def _completion_unknown(moment: datetime) -> ColumnElement[bool]:
    return and_(
        Task.status == TaskStatus.DONE,
        or_(Task.completed_at.is_(None), Task.completed_at >= moment),
    )


def changed_since(moment: datetime) -> ColumnElement[bool]:
    """The task changed its status or its deadline at or after `moment`, or was done then
    (or at an unknown time) without an event saying so: the replay counts it."""
    return or_(Task.id.in_(_changed_tasks(moment)), _completion_unknown(moment))


def unchanged_since(moment: datetime) -> ColumnElement[bool]:
    """The opposite of `changed_since`: the database counts the task."""
    return and_(Task.id.not_in(_changed_tasks(moment)), ~_completion_unknown(moment))


def _first_index(conditions: Sequence[ColumnElement[bool]]) -> Any:
    """The index of the first condition that holds (each implies the next), or their count."""
    return case(
        *((condition, index) for index, condition in enumerate(conditions)),
        else_=len(conditions),
    )


def _end_of_deadline_day(timezone: str, today: date) -> Any:
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
                    Task.completed_at < _end_of_deadline_day(timezone, days[-1]),
                ),
            ),
            1,
        ),
        else_=0,
    )
    return existed.label("existed"), passed.label("passed"), on_time.label("on_time")


def quiet_groups(
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
) -> list[QuietGroup]:
    """The quiet tasks of the scope, grouped (one pass, a few hundred groups at most)."""
    existed, passed, on_time = _grouping(moments, days, timezone)
    query = (
        select(Task.status, existed, passed, on_time, func.count())
        .where(*scope, Task.created_at < moments[-1], unchanged_since(moments[0]))
        .group_by(Task.status, existed, passed, on_time)
    )
    return [
        (status, int(first), int(due), bool(in_time), int(count))
        for status, first, due, in_time, count in db.session.execute(query)
    ]


def quiet_groups_by_department(
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    days: Sequence[date],
    timezone: str,
    departments: Sequence[int] | None,
) -> list[tuple[int, QuietGroup]]:
    """The same groups for each department a task belongs to (its owners', its own without
    owners), each task once a department."""
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
    pairs = union(owned, unowned).subquery("trend_pairs")
    existed, passed, on_time = _grouping(moments, days, timezone)
    query = (
        select(pairs.c.department_id, Task.status, existed, passed, on_time, func.count())
        .select_from(Task)
        .join(pairs, pairs.c.task_id == Task.id)
        .where(*scope, Task.created_at < moments[-1], unchanged_since(moments[0]))
        .group_by(pairs.c.department_id, Task.status, existed, passed, on_time)
    )
    return [
        (int(department), (status, int(first), int(due), bool(in_time), int(count)))
        for department, status, first, due, in_time, count in db.session.execute(query)
    ]
