"""The implementation rate and the overdue count per month, as they stood at each month's
end (#14), for exactly the tasks the dashboard counts (services.scope_clauses).

A closed month whose figures were kept (trend_months, written once by trend_store.py each
day) is read from its row when the dashboard's scope is one kept (`stored_scope`: the whole
organisation, a department's tree, a manager's one tree; each department's line). Any
other scope (an owner, report or deadline filter, a substitute covering two trees) and any
month not kept yet is rebuilt from the task history: the tasks that did not change during
the months counted are counted by the database in groups (trend_quiet.py); the others are
replayed (tracker/dashboard/history.py) to the end of each month, a chunk of tasks at a
time. The current month is today's state, counted over the tasks as they are.

Cost of the replay: every task of the scope is read once by a grouped query (twice with the
departments), and each task changed during the twelve months is replayed in Python (about
25 µs): seconds at a million tasks. Kept months and today's counts: one pass of counts over
the scope's tasks (and one grouped by department), docs/benchmarks.md "#14 trends"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import aliased

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
from tracker.dashboard.services import (
    Filters,
    Standing,
    departments_in_scope,
    scope_clauses,
)
from tracker.dashboard.trend_quiet import (
    QuietGroup,
    changed_since,
    count_of,
    department_pairs,
    end_of_deadline_day,
    quiet_groups,
    quiet_groups_by_department,
    quiet_groups_by_tree,
)
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    Department,
    Task,
    TaskEvent,
    TaskStatus,
    TrendMonth,
    User,
    task_owners,
)
from tracker.tasks.permissions import managed_departments


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

    def __init__(
        self,
        days: Sequence[date],
        departments: Sequence[int] | None,
        roots: dict[int, frozenset[int]] | None = None,
    ) -> None:
        self.days = list(days)
        self.total = [[0] * 7 for _day in self.days]
        self.departments = None if departments is None else frozenset(departments)
        self.by_department: dict[int, list[list[int]]] = {}
        # With `roots` (each department's own and every department above it), the trees too:
        # a task counts once in each tree its departments are in.
        self.roots = roots
        self.by_tree: dict[int, list[list[int]]] = {}

    def add(self, slots_per_day: Sequence[tuple[int, ...]], departments: set[int]) -> None:
        counted = [
            self._of(department)
            for department in departments
            if self.departments is None or department in self.departments
        ]
        if self.roots is not None:
            trees = set().union(*(self.roots.get(department, ()) for department in departments))
            counted += [self._of_tree(root) for root in trees]
        for index, slots in enumerate(slots_per_day):
            for slot in slots:
                self.total[index][slot] += 1
                for tally in counted:
                    tally[index][slot] += 1

    def add_group(
        self, group: QuietGroup, department: int | None = None, *, tree: int | None = None
    ) -> None:
        """A group of tasks counted by the database (trend_quiet): to the total, to one
        department's, or to one tree's."""
        if tree is not None:
            tally = self._of_tree(tree)
        elif department is None:
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

    def _of_tree(self, root: int) -> list[list[int]]:
        tally = self.by_tree.get(root)
        if tally is None:
            tally = self.by_tree[root] = [[0] * 7 for _day in self.days]
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
    """Every task of the dashboard's scope at the end of each day (`tally_scope`)."""
    departments = departments_in_scope(user, filters) if by_department else ()
    tallies = _Tallies(days, departments)
    scope = scope_clauses(user, filters, today)
    return tally_scope(tallies, scope, timezone, by_department=by_department, replay_all=replay_all)


def tally_scope(
    tallies: _Tallies,
    scope: Sequence[ColumnElement[bool]],
    timezone: str,
    *,
    by_department: bool,
    replay_all: bool = False,
) -> _Tallies:
    """Every task of `scope` at the end of each of the tallies' days. The tasks that did
    not change from the first day on are counted by the database in groups (trend_quiet);
    the others are replayed a chunk at a time: per chunk a query for their changes (and
    one for their owners), never a query per task; memory holds one chunk and the counts.
    `replay_all` replays every task (the tests compare both ways). With the tallies'
    `roots`, each tree is counted too."""
    days = tallies.days
    moments = [end_of_day(day, timezone) for day in days]
    replayed = [*scope, Task.created_at < moments[-1]]
    by_owner = by_department or tallies.roots is not None
    if not replay_all:
        replayed.append(changed_since(moments[0]))
        _add_quiet(tallies, scope, moments, timezone, by_department=by_department)
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
            _tally_chunk(partition, tallies, moments, timezone, by_department=by_owner)
    finally:
        result.close()
    return tallies


def _add_quiet(
    tallies: _Tallies,
    scope: Sequence[ColumnElement[bool]],
    moments: Sequence[datetime],
    timezone: str,
    *,
    by_department: bool,
) -> None:
    """The tasks that did not change from the first moment on, counted by the database."""
    days = tallies.days
    for group in quiet_groups(scope, moments, days, timezone):
        tallies.add_group(group)
    if by_department:
        departments = None if tallies.departments is None else sorted(tallies.departments)
        for department, group in quiet_groups_by_department(
            scope, moments, days, timezone, departments
        ):
            tallies.add_group(group, department)
    if tallies.roots is not None:
        for root, group in quiet_groups_by_tree(scope, moments, days, timezone):
            tallies.add_group(group, tree=root)


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
    as they stood at the end of `day` in the organisation's time zone: the month's kept
    figures when `day` ends a kept month and the scope is one kept (`stored_scope`), else
    from the task history: overdue as the dashboard counted it that day (a deadline before
    it)."""
    stored = stored_scope(user, filters)
    month = _month_start(day, 0)
    if stored is not None and _month_start(day + timedelta(days=1), 0) != month:
        kept = _kept_counts([stored], [month])
        if month in kept.months:
            return _snapshot(kept.counts(stored, month))
    tallies = _tally(user, filters, day, timezone, [day], by_department=False)
    return _snapshot(tallies.total[0])


# The scopes of the figures kept at each closed month's end (TrendMonth.scope).
ALL_SCOPE = "all"


def department_scope(department_id: int) -> str:
    return f"department:{department_id}"


def tree_scope(department_id: int) -> str:
    return f"tree:{department_id}"


def _roots_of(departments: Sequence[int]) -> list[int]:
    """The departments of these whose parent is not one of them."""
    inside = set(departments)
    query = select(Department.id, Department.parent_id).where(Department.id.in_(departments))
    return sorted(id_ for id_, parent in db.session.execute(query) if parent not in inside)


def stored_scope(user: User, filters: Filters) -> str | None:
    """The kept scope whose figures are exactly the user's dashboard scope narrowed by the
    filters (their status aside): everything for staff and admins; a department filter's
    tree (within the user's departments); a manager's one tree. None when no kept scope
    is (an owner, report, deadline or digest filter, a substitute covering two trees)."""
    if replace(filters, status=Filters().status, department_id=None) != Filters():
        return None
    managed = managed_departments(user)
    if filters.department_id is not None:
        if managed is None or filters.department_id in managed:
            return tree_scope(filters.department_id)
        return None
    if managed is None:
        return ALL_SCOPE
    roots = _roots_of(managed)
    return tree_scope(roots[0]) if len(roots) == 1 else None


@dataclass(frozen=True)
class _Kept:
    """The kept rows of some scopes and months; `months` are those kept (an "all" row
    marks a month kept: a scope without a row that month had no task)."""

    months: frozenset[date]
    rows: dict[tuple[str, date], tuple[int, ...]]

    def counts(self, scope: str, month: date) -> tuple[int, ...]:
        return self.rows.get((scope, month), (0,) * 7)

    def department_ids(self) -> set[int]:
        return {
            int(scope.partition(":")[2])
            for scope, _month in self.rows
            if scope.startswith("department:")
        }


def _kept_counts(
    scopes: Sequence[str], months: Sequence[date], *, every_department: bool = False
) -> _Kept:
    """The kept figures of these scopes (and of every department's) in these months."""
    marked = select(TrendMonth.month).where(
        TrendMonth.scope == ALL_SCOPE, TrendMonth.month.in_(months)
    )
    kept = frozenset(db.session.scalars(marked))
    if not kept:
        return _Kept(frozenset(), {})
    wanted: ColumnElement[bool] = TrendMonth.scope.in_(scopes)
    if every_department:
        wanted = or_(wanted, TrendMonth.scope.like("department:%"))
    query = select(
        TrendMonth.scope,
        TrendMonth.month,
        TrendMonth.recommendations,
        TrendMonth.cancelled,
        TrendMonth.done_on_time,
        TrendMonth.done_late,
        TrendMonth.open,
        TrendMonth.overdue,
        TrendMonth.awaiting_acceptance,
    ).where(wanted, TrendMonth.month.in_(sorted(kept)))
    rows = {(row[0], row[1]): tuple(row[2:]) for row in db.session.execute(query)}
    return _Kept(kept, rows)


def _current_columns(today: date, timezone: str) -> list[Any]:
    """Today's figures of a task set as counts over the current table (no replay): the
    replay's slots (`_slots`) as SQL, done on time by the deadline's day in the
    organisation's time zone as the replay counts it."""
    done = Task.status == TaskStatus.DONE
    on_time = or_(
        Task.deadline.is_(None),
        Task.completed_at.is_(None),
        Task.completed_at < end_of_deadline_day(timezone, today),
    )
    active = Task.status.in_(ACTIVE_STATUSES)
    return [
        count_of(Task.status != TaskStatus.DRAFT),
        count_of(Task.status == TaskStatus.CANCELLED),
        count_of(and_(done, on_time)),
        count_of(and_(done, ~on_time)),
        count_of(active),
        count_of(and_(active, Task.deadline.is_not(None), Task.deadline < today)),
        count_of(Task.status == TaskStatus.AWAITING_ACCEPTANCE),
    ]


def current_counts(
    scope: Sequence[ColumnElement[bool]], today: date, timezone: str
) -> tuple[int, ...]:
    """Today's figures of the scope: one pass of counts."""
    row = db.session.execute(select(*_current_columns(today, timezone)).where(*scope)).one()
    return tuple(int(value or 0) for value in row)


def current_counts_of_all(today: date, timezone: str) -> tuple[int, ...]:
    """Today's figures of every task but the drafts, as `current_counts` counts them, from
    ranges of the indexes on (status, ...): the tasks per status, the overdue range of
    (status, deadline), the done tasks finished after their deadline's day on (status,
    completed_at, deadline). No pass over every task."""
    per_status = dict(
        db.session.execute(select(Task.status, func.count()).group_by(Task.status)).all()
    )
    overdue = select(func.count()).where(
        Task.status.in_(ACTIVE_STATUSES), Task.deadline.is_not(None), Task.deadline < today
    )
    late = select(func.count()).where(
        Task.status == TaskStatus.DONE,
        Task.deadline.is_not(None),
        Task.completed_at >= end_of_deadline_day(timezone, today),
    )
    overdue_count, late_count = db.session.execute(
        select(overdue.scalar_subquery(), late.scalar_subquery())
    ).one()

    def of(*statuses: TaskStatus) -> int:
        return sum(int(per_status.get(status, 0)) for status in statuses)

    done = of(TaskStatus.DONE)
    return (
        sum(int(count) for status, count in per_status.items() if status != TaskStatus.DRAFT),
        of(TaskStatus.CANCELLED),
        done - int(late_count),
        int(late_count),
        of(*ACTIVE_STATUSES),
        int(overdue_count),
        of(TaskStatus.AWAITING_ACCEPTANCE),
    )


def _owned_pairs(scope: Sequence[ColumnElement[bool]]) -> Any:
    """(task, department) of the scope's tasks: each task with its owners' departments
    (its own without owners), each pair once, in one pass over the tasks and their owners."""
    link = task_owners.alias("current_link")
    owner = aliased(User, name="current_owner")
    department = case(
        (link.c.user_id.is_(None), Task.department_id), else_=owner.department_id
    ).label("department_id")
    return (
        select(Task.id.label("task_id"), department)
        .select_from(Task)
        .outerjoin(link, link.c.task_id == Task.id)
        .outerjoin(owner, owner.id == link.c.user_id)
        .where(*scope)
        .distinct()
        .subquery("current_pairs")
    )


def current_counts_by_department(
    scope: Sequence[ColumnElement[bool]],
    today: date,
    timezone: str,
    departments: Sequence[int] | None,
) -> dict[int, tuple[int, ...]]:
    """Today's figures of each department (its owners' tasks, its own unowned ones), each
    task once a department, grouped. SQLite walks the tasks and their owners once
    (`_owned_pairs`: 1.2 s at a million tasks, against 2.1 s for the union of owned and
    unowned pairs); PostgreSQL hashes the union (1.2 s, against 2.2 s)."""
    query = select(*_current_columns(today, timezone)).select_from(Task)
    if db.session.get_bind().dialect.name == "postgresql":
        pairs = department_pairs(departments)
        query = query.join(pairs, pairs.c.task_id == Task.id).where(*scope)
        counted: ColumnElement[bool] = pairs.c.department_id.is_not(None)
    else:
        pairs = _owned_pairs(scope)
        query = query.join(pairs, pairs.c.task_id == Task.id)
        counted = pairs.c.department_id.is_not(None)
        if departments is not None:
            counted = pairs.c.department_id.in_(departments)
    query = query.add_columns(pairs.c.department_id).where(counted)
    query = query.group_by(pairs.c.department_id)
    return {
        int(row[-1]): tuple(int(value or 0) for value in row[:-1])
        for row in db.session.execute(query)
    }


def monthly_trend(
    user: User, filters: Filters, today: date, timezone: str, months: int = 12
) -> Trend:
    """The implementation rate and the overdue count at the end of each of the last
    `months` months (the current one as of today), for the user's dashboard scope and for
    each department in it that had any task.

    A closed month is read from the figures kept at its end (tracker/dashboard/
    trend_store.py) when the scope is one kept (`stored_scope`); a month not kept yet, or
    any other scope, is replayed from the task history. The current month is today's
    state, counted over the tasks as they are.

    A replayed month counts a task in the departments of its owners of today (its own
    department without owners), as on the dashboard: the history records who owned a
    task, but a department's line follows today's owners, so a task handed to another
    department moves its whole past with it. A kept month keeps the departments of the
    day it was kept."""
    month_days = _month_days(today, months)
    stored = stored_scope(user, filters)
    if stored is None:
        return _replayed_trend(user, filters, today, timezone, month_days)
    departments = departments_in_scope(user, filters)
    closed = month_days[:-1]
    total, by_department = _kept_months(stored, departments, [first for first, _l in closed])
    missing = [(first, last) for first, last in closed if first not in total]
    if missing:
        tallies = _tally(
            user, filters, today, timezone, [last for _f, last in missing], by_department=True
        )
        for index, (first, _last) in enumerate(missing):
            total[first] = tallies.total[index]
            for id_, tally in tallies.by_department.items():
                by_department.setdefault(id_, {})[first] = tally[index]
    current = month_days[-1][0]
    scope = scope_clauses(user, filters, today)
    total[current], today_by_department = _current_month(
        scope, today, timezone, departments, whole=stored == ALL_SCOPE
    )
    for id_, counts in today_by_department.items():
        by_department.setdefault(id_, {})[current] = counts
    return _trend(month_days, total, by_department)


def today_point(today: date, standing: Standing) -> TrendPoint:
    """The current month's point: the dashboard's figures of today (services.figures)."""
    return TrendPoint(
        month=_month_start(today, 0),
        recommendations=standing.recommendations,
        cancelled=standing.cancelled,
        done=standing.done,
        overdue=standing.overdue,
    )


def kept_closed_months(
    user: User, filters: Filters, today: date, months: int = 12
) -> tuple[TrendPoint, ...] | None:
    """The closed months of the scope's trend (the oldest first), read from the kept rows:
    a few rows, no task read. None when the scope is not one kept (`stored_scope`) or a
    month has not been kept yet (`closed_months_replayed` then)."""
    stored = stored_scope(user, filters)
    if stored is None:
        return None
    firsts = [first for first, _last in _month_days(today, months)[:-1]]
    kept = _kept_counts([stored], firsts)
    if any(first not in kept.months for first in firsts):
        return None
    return tuple(_point(first, kept.counts(stored, first)) for first in firsts)


def closed_months_replayed(
    user: User, filters: Filters, today: date, timezone: str, months: int = 12
) -> tuple[TrendPoint, ...]:
    """The closed months of the scope's trend, the kept ones read and the others replayed
    from the task history (the whole scope only, no department's): seconds at a million
    tasks for the whole organisation."""
    closed = _month_days(today, months)[:-1]
    total = _kept_of_scope(stored_scope(user, filters), [first for first, _last in closed])
    missing = [(first, last) for first, last in closed if first not in total]
    if missing:
        days = [last for _first, last in missing]
        tallies = _tally(user, filters, today, timezone, days, by_department=False)
        for index, (first, _last) in enumerate(missing):
            total[first] = tallies.total[index]
    return tuple(_point(first, total[first]) for first, _last in closed)


def _kept_of_scope(stored: str | None, months: Sequence[date]) -> dict[date, Sequence[int]]:
    """The kept counts of a kept scope in those of these months that are kept."""
    if stored is None:
        return {}
    kept = _kept_counts([stored], months)
    return {month: kept.counts(stored, month) for month in months if month in kept.months}


def _current_month(
    scope: Sequence[ColumnElement[bool]],
    today: date,
    timezone: str,
    departments: Sequence[int] | None,
    *,
    whole: bool,
) -> tuple[tuple[int, ...], dict[int, tuple[int, ...]]]:
    """Today's figures of the scope (`whole`: every task but drafts) and of each department."""
    if whole:
        total = current_counts_of_all(today, timezone)
    else:
        total = current_counts(scope, today, timezone)
    return total, current_counts_by_department(scope, today, timezone, departments)


def _kept_months(
    stored: str, departments: Sequence[int] | None, months: Sequence[date]
) -> tuple[dict[date, Sequence[int]], dict[int, dict[date, Sequence[int]]]]:
    """The counts kept of these months (those kept) for the scope and for each department
    (every department kept when `departments` is None)."""
    kept = _kept_counts(
        [stored, *(department_scope(id_) for id_ in departments or ())],
        months,
        every_department=departments is None,
    )
    found = [month for month in months if month in kept.months]
    total: dict[date, Sequence[int]] = {month: kept.counts(stored, month) for month in found}
    ids = sorted(kept.department_ids()) if departments is None else departments
    by_department: dict[int, dict[date, Sequence[int]]] = {
        id_: {month: kept.counts(department_scope(id_), month) for month in found} for id_ in ids
    }
    return total, by_department


def _replayed_trend(
    user: User, filters: Filters, today: date, timezone: str, month_days: list[tuple[date, date]]
) -> Trend:
    tallies = _tally(
        user, filters, today, timezone, [last for _first, last in month_days], by_department=True
    )
    firsts = [first for first, _last in month_days]
    total = dict(zip(firsts, tallies.total, strict=True))
    by_department = {
        id_: dict(zip(firsts, tally, strict=True)) for id_, tally in tallies.by_department.items()
    }
    return _trend(month_days, total, by_department)


def _trend(
    month_days: Sequence[tuple[date, date]],
    total: Mapping[date, Sequence[int]],
    by_department: Mapping[int, Mapping[date, Sequence[int]]],
) -> Trend:
    """The trend of these months' counts (a month without counts of a department: none)."""
    none = (0,) * 7
    firsts = [first for first, _last in month_days]
    names: dict[int, str] = {
        id_: name
        for id_, name in db.session.execute(
            select(Department.id, Department.name).where(Department.id.in_(sorted(by_department)))
        )
    }
    departments = [
        DepartmentTrend(
            department_id=department_id,
            name=names[department_id],
            points=tuple(_point(first, months.get(first, none)) for first in firsts),
        )
        for department_id, months in by_department.items()
        if department_id in names and any(counts[_RECOMMENDATIONS] for counts in months.values())
    ]
    departments.sort(key=lambda trend: (trend.name, trend.department_id))
    return Trend(
        total=tuple(_point(first, total.get(first, none)) for first in firsts),
        by_department=tuple(departments),
    )


def history_mark() -> tuple[Any, ...]:
    """What changes when a task or its history does: the newest event and the newest task
    (two index lookups), for keeping a trend while they stay. A person moved to another
    department or a deleted report do not change it."""
    newest_event = select(func.max(TaskEvent.id)).scalar_subquery()
    newest_task = select(func.max(Task.id)).scalar_subquery()
    return tuple(db.session.execute(select(newest_event, newest_task)).one())
