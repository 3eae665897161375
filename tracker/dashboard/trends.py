"""The implementation rate and the overdue count per month, as they stood at each month's
end, rebuilt from the task history (#14), for exactly the tasks the dashboard counts
(services.scope_clauses). The tasks that did not change during the months counted are
counted by the database in groups (trend_quiet.py); the others are replayed
(tracker/dashboard/history.py) to the end of each month, a chunk of tasks at a time.

Cost: every task of the scope is read once by a grouped query (twice with the departments),
and each task changed during the twelve months is replayed in Python (about 25 µs). At a
million tasks that is seconds, not the dashboard's 200 ms: the dashboard keeps a trend a few
minutes (trend_chart.dashboard_trend); month-end figures kept in a table as each month
closes would be the way to the target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from tracker.batches import chunks
from tracker.dashboard.history import (
    DEADLINE_FIELD,
    DEADLINE_MOVES,
    STATUS_FIELD,
    Change,
    TaskFacts,
    TaskHistory,
    TaskState,
    done_on_time,
    end_of_day,
    is_overdue,
)
from tracker.dashboard.services import Filters, departments_in_scope, scope_clauses
from tracker.dashboard.trend_quiet import (
    QuietGroup,
    changed_since,
    quiet_groups,
    quiet_groups_by_department,
)
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    Department,
    Task,
    TaskEvent,
    TaskStatus,
    User,
    task_owners,
)


@dataclass(frozen=True)
class TrendPoint:
    month: date  # its first day
    recommendations: int  # tasks that existed at the month's end, drafts aside
    cancelled: int
    done: int  # done at the month's end (on time or late)
    overdue: int  # open or in progress with the deadline of then passed at the month's end

    @property
    def implementation_rate(self) -> float | None:
        """Done of the recommendations not cancelled, at the month's end (as
        tracker.reporting.model.HeadlineFigures.implementation_rate)."""
        counted = self.recommendations - self.cancelled
        return self.done / counted if counted else None


@dataclass(frozen=True)
class DepartmentTrend:
    department_id: int
    name: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Trend:
    total: tuple[TrendPoint, ...]  # the oldest month first, the current month last
    by_department: tuple[DepartmentTrend, ...] = ()


@dataclass(frozen=True)
class SnapshotCounts:
    """The dashboard's scope as it stood at the end of one day (the progress report's
    figures of a past period: tracker.reporting.model.HeadlineFigures)."""

    recommendations: int = 0  # tasks that existed, drafts aside
    cancelled: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0  # open or in progress, the overdue ones included
    overdue: int = 0
    awaiting_acceptance: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late


# A tally's slots, in SnapshotCounts' order.
_RECOMMENDATIONS, _CANCELLED, _ON_TIME, _LATE, _OPEN, _OVERDUE, _AWAITING = range(7)
# Tasks read from the database at a time (the memory the trends hold).
TREND_CHUNK = 2000


def _month_start(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _month_days(today: date, months: int) -> list[tuple[date, date]]:
    """(first day, last day counted) of each month, the oldest first: a past month's last
    day, the current month's today."""
    found = []
    for back in range(months - 1, -1, -1):
        first = _month_start(today, back)
        last = today if back == 0 else _month_start(today, back - 1) - timedelta(days=1)
        found.append((first, last))
    return found


def _slots(status: TaskStatus, *, on_time: bool, overdue: bool) -> tuple[int, ...]:
    """The slots a task of this status counts in (none for a draft)."""
    if status is TaskStatus.DRAFT:
        return ()
    if status is TaskStatus.CANCELLED:
        return (_RECOMMENDATIONS, _CANCELLED)
    if status is TaskStatus.DONE:
        return (_RECOMMENDATIONS, _ON_TIME if on_time else _LATE)
    if status is TaskStatus.AWAITING_ACCEPTANCE:
        return (_RECOMMENDATIONS, _AWAITING)
    return (_RECOMMENDATIONS, _OPEN, _OVERDUE) if overdue else (_RECOMMENDATIONS, _OPEN)


def _classify(state: TaskState | None, day: date, timezone: str) -> tuple[int, ...]:
    """The slots a task's state counts in at the end of `day` (none for a draft or a task
    not yet made)."""
    if state is None:
        return ()
    return _slots(
        state.status,
        on_time=done_on_time(state, timezone),
        overdue=is_overdue(state, day),
    )


def _classified(
    states: Sequence[TaskState | None], days: Sequence[date], timezone: str
) -> list[tuple[int, ...]]:
    """`_classify` of each state on its day; a state unchanged from the day before counts
    in the same slots, unless it is open work that the day may have made overdue."""
    found: list[tuple[int, ...]] = []
    previous: TaskState | None = None
    for state, day in zip(states, days, strict=True):
        if found and state is previous and (state is None or state.status not in ACTIVE_STATUSES):
            found.append(found[-1])
        else:
            found.append(_classify(state, day, timezone))
        previous = state
    return found


class _Tallies:
    """Counts per day counted, for the whole scope and for each department."""

    def __init__(self, days: Sequence[date], departments: Sequence[int] | None) -> None:
        self.days = list(days)
        self.total = [[0] * 7 for _day in self.days]
        self.departments = None if departments is None else frozenset(departments)
        self.by_department: dict[int, list[list[int]]] = {}

    def add(self, slots_per_day: Sequence[tuple[int, ...]], departments: set[int]) -> None:
        counted = [
            self._of(department)
            for department in departments
            if self.departments is None or department in self.departments
        ]
        for index, slots in enumerate(slots_per_day):
            for slot in slots:
                self.total[index][slot] += 1
                for tally in counted:
                    tally[index][slot] += 1

    def add_group(self, group: QuietGroup, department: int | None = None) -> None:
        """A group of tasks counted by the database (trend_quiet): to the total, or to one
        department's."""
        if department is None:
            tally = self.total
        elif self.departments is None or department in self.departments:
            tally = self._of(department)
        else:
            return
        for index in range(group.existed, len(self.days)):
            status = group.status_at(index)
            if status is None:
                continue
            overdue = index >= group.passed
            for slot in _slots(status, on_time=group.on_time, overdue=overdue):
                tally[index][slot] += group.count

    def _of(self, department: int) -> list[list[int]]:
        tally = self.by_department.get(department)
        if tally is None:
            tally = self.by_department[department] = [[0] * 7 for _day in self.days]
        return tally


def _changes(task_ids: Sequence[int]) -> dict[int, list[Change]]:
    """The status and deadline changes of these tasks, each task's in the order recorded."""
    found: dict[int, list[Change]] = {}
    for ids in chunks(task_ids):
        query = (
            select(
                TaskEvent.task_id,
                TaskEvent.created_at,
                TaskEvent.kind,
                TaskEvent.field,
                TaskEvent.old_value,
                TaskEvent.new_value,
            )
            .where(
                TaskEvent.task_id.in_(ids),
                or_(
                    TaskEvent.field == STATUS_FIELD,
                    and_(TaskEvent.field == DEADLINE_FIELD, TaskEvent.kind.in_(DEADLINE_MOVES)),
                ),
            )
            .order_by(TaskEvent.task_id, TaskEvent.id)
        )
        for task_id, at, kind, field, old, new in db.session.connection().execute(query):
            found.setdefault(task_id, []).append(Change(at, kind, field or "", old, new))
    return found


def _owner_departments(task_ids: Sequence[int]) -> dict[int, set[int]]:
    """The departments of each task's current owners (those with one)."""
    found: dict[int, set[int]] = {}
    for ids in chunks(task_ids):
        query = (
            select(task_owners.c.task_id, User.department_id)
            .join(User, User.id == task_owners.c.user_id)
            .where(task_owners.c.task_id.in_(ids))
        )
        for task_id, department_id in db.session.connection().execute(query):
            departments = found.setdefault(task_id, set())
            if department_id is not None:
                departments.add(department_id)
    return found


def _tally(
    user: User,
    filters: Filters,
    today: date,
    timezone: str,
    days: Sequence[date],
    *,
    by_department: bool,
    replay_all: bool = False,
) -> _Tallies:
    """Every task of the dashboard's scope at the end of each day. The tasks that did not
    change from the first day on are counted by the database in groups (trend_quiet); the
    others are replayed a chunk at a time: per chunk a query for their changes (and one for
    their owners), never a query per task; memory holds one chunk and the counts.
    `replay_all` replays every task (the tests compare both ways)."""
    departments = departments_in_scope(user, filters) if by_department else ()
    tallies = _Tallies(days, departments)
    moments = [end_of_day(day, timezone) for day in days]
    scope = scope_clauses(user, filters, today)
    replayed = [*scope, Task.created_at < moments[-1]]
    if not replay_all:
        replayed.append(changed_since(moments[0]))
        for group in quiet_groups(scope, moments, days, timezone):
            tallies.add_group(group)
        if by_department:
            for department, group in quiet_groups_by_department(
                scope, moments, days, timezone, departments
            ):
                tallies.add_group(group, department)
    query = select(
        Task.id,
        Task.created_at,
        Task.status,
        Task.deadline,
        Task.completed_at,
        Task.department_id,
    ).where(*replayed)
    result = db.session.connection().execute(query.execution_options(yield_per=TREND_CHUNK))
    try:
        for partition in result.partitions():
            _tally_chunk(partition, tallies, moments, timezone, by_department=by_department)
    finally:
        result.close()
    return tallies


def _tally_chunk(
    partition: Sequence[Any],
    tallies: _Tallies,
    moments: Sequence[datetime],
    timezone: str,
    *,
    by_department: bool,
) -> None:
    ids = [row[0] for row in partition]
    changes = _changes(ids)
    owners = _owner_departments(ids) if by_department else {}
    for task_id, created_at, status, deadline, completed_at, own_department in partition:
        history = TaskHistory(
            TaskFacts(created_at, status, deadline, completed_at), changes.get(task_id, ())
        )
        slots = _classified(history.states_at(moments), tallies.days, timezone)
        departments = owners.get(task_id)
        if departments is None:  # without owners: the task's own department
            departments = {own_department} if own_department is not None else set()
        tallies.add(slots, departments)


def _snapshot(counts: Sequence[int]) -> SnapshotCounts:
    return SnapshotCounts(*counts)


def _point(month: date, counts: Sequence[int]) -> TrendPoint:
    return TrendPoint(
        month=month,
        recommendations=counts[_RECOMMENDATIONS],
        cancelled=counts[_CANCELLED],
        done=counts[_ON_TIME] + counts[_LATE],
        overdue=counts[_OVERDUE],
    )


def snapshot_counts(user: User, filters: Filters, day: date, timezone: str) -> SnapshotCounts:
    """The figures of the user's dashboard scope (`filters` narrow it, their status aside)
    as they stood at the end of `day` in the organisation's time zone, from the task
    history: overdue as the dashboard counted it that day (a deadline before it)."""
    tallies = _tally(user, filters, day, timezone, [day], by_department=False)
    return _snapshot(tallies.total[0])


def monthly_trend(
    user: User, filters: Filters, today: date, timezone: str, months: int = 12
) -> Trend:
    """The implementation rate and the overdue count at the end of each of the last
    `months` months (the current one as of today), from the task history, for the user's
    dashboard scope and for each department in it that had any task.

    A task counts in the departments of its owners of today (its own department without
    owners), as on the dashboard: the history records who owned a task, but a department's
    line follows today's owners, so a task handed to another department moves its whole
    past with it."""
    month_days = _month_days(today, months)
    tallies = _tally(
        user, filters, today, timezone, [last for _first, last in month_days], by_department=True
    )
    total = tuple(
        _point(first, counts)
        for (first, _last), counts in zip(month_days, tallies.total, strict=True)
    )
    names: dict[int, str] = {
        id_: name
        for id_, name in db.session.execute(
            select(Department.id, Department.name).where(
                Department.id.in_(sorted(tallies.by_department))
            )
        )
    }
    departments = [
        DepartmentTrend(
            department_id=department_id,
            name=names[department_id],
            points=tuple(
                _point(first, counts)
                for (first, _last), counts in zip(month_days, tally, strict=True)
            ),
        )
        for department_id, tally in tallies.by_department.items()
        if department_id in names and any(counts[_RECOMMENDATIONS] for counts in tally)
    ]
    departments.sort(key=lambda trend: (trend.name, trend.department_id))
    return Trend(total=total, by_department=tuple(departments))


def history_mark() -> tuple[Any, ...]:
    """What changes when a task or its history does: the newest event and the newest task
    (two index lookups), for keeping a trend while they stay. A person moved to another
    department or a deleted report do not change it."""
    newest_event = select(func.max(TaskEvent.id)).scalar_subquery()
    newest_task = select(func.max(Task.id)).scalar_subquery()
    return tuple(db.session.execute(select(newest_event, newest_task)).one())
