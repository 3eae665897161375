"""Every figure of the dashboard as one SQL aggregate over the tasks the user may manage.

A manager's dashboard covers their department and the departments below it; staff and
admins see everything. Filters narrow that scope and can never widen it.

A task belongs to the departments of all its owners: a department's figures (its filter,
its bar of a chart) count every task with an owner there, each task once; the figures of
the whole scope count each task once however many departments it belongs to (they are
aggregates over tasks, narrowed by EXISTS, never over a join with the owners).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

from tracker.batches import chunks
from tracker.dashboard.overdue_counts import OverdueCounts, kept_overdue_counts
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    UNFINISHED_STATUSES,
    Department,
    Notification,
    Report,
    ReportStatus,
    Role,
    Task,
    TaskStatus,
    User,
    overdue_clause,
    task_owners,
)
from tracker.notifications.digest import DigestLink, digest_clause
from tracker.notifications.policy import Kind
from tracker.permissions import PermissionDenied
from tracker.tasks.permissions import (
    OVERSEERS,
    SEES_EVERYTHING,
    ScopeForm,
    department_subtree_ids,
    departments_below,
    managed_departments,
    of_departments,
)

DASHBOARD_ROLES = OVERSEERS
SORTS = ("deadline", "-deadline", "title", "-title")
AGING_BUCKETS = ((1, 7), (8, 30), (31, 90), (91, None))


def aging_status(low: int, high: int | None) -> str:
    """The list's status filter of one aging bucket: "overdue_8_30", "overdue_91_"."""
    return f"overdue_{low}_{high or ''}"


AGING_STATUSES = tuple(aging_status(low, high) for low, high in AGING_BUCKETS)
# The list's status filters: a task status, or a figure of the dashboard (each counts
# exactly the tasks its filter lists: `_status_clause` defines both).
FIGURE_STATUSES = ("active", "due_soon", "done_this_month", "due", "done_on_time")
STATUS_FILTERS = (
    "overdue",
    "open",
    "in_progress",
    "awaiting_acceptance",
    "done",
    "cancelled",
    "all",
    *FIGURE_STATUSES,
    *AGING_STATUSES,
)


def require_dashboard(user: User) -> None:
    if user.role not in DASHBOARD_ROLES:
        raise PermissionDenied


@dataclass(frozen=True)
class Filters:
    department_id: int | None = None
    owner_id: int | None = None
    report_id: int | None = None
    status: str = "overdue"
    deadline_from: date | None = None
    deadline_to: date | None = None
    digest: DigestLink | None = None  # the tasks of one section of the viewer's digest
    digest_invalid: bool = False
    # Charts' bars, on top of the filters (a bar's link adds one, a bar of its page
    # another): the tasks of exactly these departments (not the departments below them),
    # of these owners besides the owner filter.
    in_department_ids: tuple[int, ...] = ()
    with_owner_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Headline:
    open: int
    overdue: int
    due_soon: int
    done_this_month: int
    due: int
    done_on_time: int
    # Reported done, waiting for the manager: neither open nor overdue, counted apart.
    awaiting_acceptance: int = 0

    @property
    def implementation_rate(self) -> float | None:
        """Done on time / due (tasks whose deadline has passed, cancelled ones aside)."""
        return self.done_on_time / self.due if self.due else None


def _form(probe: bool) -> ScopeForm:
    return "probe" if probe else "ids"


def _scope(user: User, *, probe: bool = False) -> ColumnElement[bool]:
    """The tasks this user's dashboard covers: never drafts; a manager's departments.
    `probe`: for a query over the overdue range (see permissions.ScopeForm)."""
    require_dashboard(user)
    departments = managed_departments(user)
    if departments is None:
        return Task.status != TaskStatus.DRAFT
    return and_(Task.status != TaskStatus.DRAFT, of_departments(departments, form=_form(probe)))


def _sees_everything(user: User, filters: Filters) -> bool:
    """Whether the figures cover every task but the drafts (no scope, no filter)."""
    return user.role in SEES_EVERYTHING and filters == Filters(status=filters.status)


def _narrowing(
    user: User, filters: Filters, today: date, *, probe: bool = False
) -> list[ColumnElement[bool]]:
    """The filters, except status (figures count every status; the list uses it).
    `probe`: for a query over the overdue range (see permissions.ScopeForm)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.digest_invalid:
        clauses.append(false())  # a damaged link shows nothing rather than everything
    elif filters.digest is not None:
        # One section of the viewer's own digest: another user's link shows their own.
        clauses.append(digest_clause(filters.digest, user.id))
    if filters.department_id is not None:
        subtree = departments_below([filters.department_id])
        clauses.append(of_departments(subtree, form=_form(probe)))
    clauses.extend(of_departments([id_], form=_form(probe)) for id_ in filters.in_department_ids)
    for number, owner_id in enumerate((filters.owner_id, *filters.with_owner_ids)):
        if owner_id is None:
            continue
        # From the owner's tasks (task_owners' (user_id, task_id) index), not every task's
        # owners; an alias, so that no query that joins task_owners itself correlates it.
        link = task_owners.alias(f"owner_filter_{number}")
        clauses.append(Task.id.in_(select(link.c.task_id).where(link.c.user_id == owner_id)))
    if filters.report_id is not None:
        clauses.append(Task.report_id == filters.report_id)
    if filters.deadline_from is not None:
        clauses.append(Task.deadline >= filters.deadline_from)
    if filters.deadline_to is not None:
        clauses.append(Task.deadline <= filters.deadline_to)
    return clauses


def _before(day: date) -> ColumnElement[bool]:
    return and_(Task.deadline.is_not(None), Task.deadline < day)


def _active() -> ColumnElement[bool]:
    return Task.status.in_(ACTIVE_STATUSES)


def _aging_clause(low: int, high: int | None, today: date) -> ColumnElement[bool]:
    """Active tasks overdue by low to high days (their deadline period): a range of
    (status, deadline)."""
    period = [Task.deadline <= today - timedelta(days=low)]
    if high is not None:
        period.insert(0, Task.deadline >= today - timedelta(days=high))
    return and_(_active(), *period)


def _figure_clause(status: str, today: date, month_start: datetime) -> ColumnElement[bool]:
    """The tasks a figure counts. Each is a range of an index on (status, ...): the whole
    organisation's figures count them as ranges (`_tally_by_ranges`)."""
    if status == "active":  # "Open": open or in progress
        return _active()
    if status == "due_soon":
        return and_(_active(), Task.deadline >= today, Task.deadline <= today + timedelta(days=14))
    if status == "done_this_month":
        return and_(Task.status == TaskStatus.DONE, Task.completed_at >= month_start)
    if status == "due":  # the deadline has passed, cancelled ones aside
        return _due(today)
    # "done_on_time": done by its deadline, of those due; date() of the completion time,
    # the same SQL on SQLite and PostgreSQL.
    return and_(
        Task.status == TaskStatus.DONE,
        _before(today),
        func.date(Task.completed_at) <= Task.deadline,
    )


_DUE_STATUSES = (*UNFINISHED_STATUSES, TaskStatus.DONE)


def _due(today: date, statuses: Sequence[TaskStatus] = _DUE_STATUSES) -> ColumnElement[bool]:
    """Tasks of these statuses whose deadline has passed: with the active statuses, the
    overdue ones (`overdue_clause`)."""
    return and_(Task.status.in_(statuses), _before(today))


_AGING = dict(zip(AGING_STATUSES, AGING_BUCKETS, strict=True))


def _status_clause(status: str, today: date, month_start: datetime) -> ColumnElement[bool]:
    """The tasks the list shows for a status filter; a figure's filter (`FIGURE_STATUSES`,
    an aging bucket) is exactly what the figure counts."""
    if status == "overdue":
        return overdue_clause(today)
    if status == "all":
        return true()
    if status in FIGURE_STATUSES:
        return _figure_clause(status, today, month_start)
    if status in _AGING:
        return _aging_clause(*_AGING[status], today)
    return Task.status == TaskStatus(status)


def _count(condition: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _month_start_utc(today: date, timezone: str) -> datetime:
    local = datetime(today.year, today.month, 1, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class Standing:
    """The scope's tasks as they stand today, as the trend's point for today counts them
    (tracker.dashboard.trends.TrendPoint): its rate is done of the recommendations not
    cancelled (the headline's rate is done on time of those due)."""

    recommendations: int  # every task of the scope (never a draft)
    cancelled: int
    done: int  # on time or late
    overdue: int  # as the headline's


@dataclass(frozen=True)
class Figures:
    headline: Headline
    aging: list[tuple[str, int]]
    standing: Standing


def _aging_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high else f"> {low - 1}"


@dataclass
class _Tally:
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    awaiting: int = 0
    done_this_month: int = 0
    due: int = 0
    done_on_time: int = 0
    done: int = 0
    cancelled: int = 0
    aging: list[int] = field(default_factory=lambda: [0] * len(AGING_BUCKETS))


# The figures in the order a tally reads them: each the count of its `_status_clause`.
_TALLIED = (
    "active",
    "overdue",
    "due_soon",
    "awaiting_acceptance",
    "done_this_month",
    "due",
    "done_on_time",
    "done",  # with "cancelled", for the trend's point for today (`Standing`)
    "cancelled",
    *AGING_STATUSES,
)


def _tally(row: Sequence[Any]) -> _Tally:
    open_, overdue, soon, waiting, this_month, due, on_time, done, cancelled, *aging = map(int, row)
    return _Tally(
        open=open_,
        overdue=overdue,
        due_soon=soon,
        awaiting=waiting,
        done_this_month=this_month,
        due=due,
        done_on_time=on_time,
        done=done,
        cancelled=cancelled,
        aging=aging,
    )


def _tally_in_one_pass(
    scope: Sequence[ColumnElement[bool]], today: date, month_start: datetime
) -> _Tally:
    """Every figure in one pass over the scope's tasks: for a narrowed scope (a manager's
    departments, a filter), which the database reaches through its ids."""
    counts = (_count(_status_clause(name, today, month_start)) for name in _TALLIED)
    return _tally(db.session.execute(select(*counts).where(*scope)).one())


def _active_count(count: Callable[..., Any], active: ColumnElement[bool]) -> Any:
    """How many tasks are open or in progress, in the whole organisation.

    On SQLite, the tasks there are (`SELECT count(*)` without a condition: SQLite counts
    an index's pages, not its entries) less the tasks of every other status, counted on
    (status, ...): the open tasks are most of the table, the others the smaller part.
    PostgreSQL has no such count and counts the active range of (status, deadline)."""
    if db.session.get_bind().dialect.name != "sqlite":
        return count(active)
    every_task = select(func.count()).select_from(Task).scalar_subquery()
    other_statuses = [status for status in TaskStatus if status not in ACTIVE_STATUSES]
    others = select(func.count()).where(Task.status.in_(other_statuses)).scalar_subquery()
    return every_task - others


def _tally_by_ranges(
    scope: Sequence[ColumnElement[bool]], today: date, month_start: datetime
) -> _Tally:
    """Every figure of the whole organisation in one statement of counts, each over its
    own range of an index and nothing else: the active tasks (status) and their deadline
    periods (overdue, each aging bucket, due soon, due) on (status, deadline); the done
    tasks' on (status, completed_at, deadline). Plain counts of a range, no expression per
    row: the large ranges (every open task) cost a step of the index per task, no more.
    Each figure's range is its `_status_clause`, as the list's."""

    def count(condition: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(Task).where(*scope, condition).scalar_subquery()

    counts = [
        _active_count(count, _active())
        if name == "active"
        else count(_status_clause(name, today, month_start))
        for name in _TALLIED
        if name != "due"
    ]
    # The tasks due are the overdue ones (the due active tasks) and the due tasks of the
    # other statuses: the large overdue range is not counted twice.
    finished = (TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.DONE)
    row = list(db.session.execute(select(*counts, count(_due(today, finished)))).one())
    *figures, due_finished = row
    figures.insert(_TALLIED.index("due"), figures[_TALLIED.index("overdue")] + due_finished)
    return _tally(figures)


def figures(user: User, filters: Filters, today: date, timezone: str) -> Figures:
    """The headline figures and the aging buckets."""
    scope = (_scope(user), *_narrowing(user, filters, today))
    month_start = _month_start_utc(today, timezone)
    if _sees_everything(user, filters):
        tally = _tally_by_ranges(scope, today, month_start)
    else:
        tally = _tally_in_one_pass(scope, today, month_start)
    return Figures(
        headline=Headline(
            open=int(tally.open),
            overdue=int(tally.overdue),
            due_soon=int(tally.due_soon),
            done_this_month=int(tally.done_this_month),
            due=int(tally.due),
            done_on_time=int(tally.done_on_time),
            awaiting_acceptance=int(tally.awaiting),
        ),
        aging=[
            (_aging_label(low, high), int(count))
            for (low, high), count in zip(AGING_BUCKETS, tally.aging, strict=True)
        ],
        # The scope never holds drafts: its tasks are the open, awaiting, done, cancelled.
        standing=Standing(
            recommendations=int(tally.open + tally.awaiting + tally.done + tally.cancelled),
            cancelled=int(tally.cancelled),
            done=int(tally.done),
            overdue=int(tally.overdue),
        ),
    )


@dataclass(frozen=True)
class OverdueCharts:
    """The bars of the two overdue charts: (name, overdue tasks, id), the most first."""

    by_department: list[tuple[str, int, int]]
    by_owner: list[tuple[str, int, int]]


def _overdue_per_owner(
    user: User, filters: Filters, today: date
) -> list[tuple[int | None, int | None, int, int]]:
    """One pass over the overdue tasks (the (status, deadline) index), each joined to its
    owners: (owner id, None, overdue tasks, of which an owner with a smaller id works in
    the same department) for each owner; (None, department id, tasks, 0) for the tasks
    without owners, by their own department. Never a pass over every task."""
    link = task_owners.alias("chart_link")
    owner = aliased(User, name="chart_owner")
    # A task without owners counts in its own department (in the (status, deadline,
    # department_id) index, so the pass never reads the table).
    unowned_department = case((link.c.user_id.is_(None), Task.department_id), else_=None)
    # The second owner (by id) of a task in one department: that department has the task
    # already. Numbered within (task, department): one sort of the pass's rows.
    place = func.row_number().over(
        partition_by=(Task.id, owner.department_id), order_by=link.c.user_id
    )
    rows = (
        select(
            link.c.user_id.label("user_id"),
            unowned_department.label("department_id"),
            place.label("place"),
        )
        .select_from(Task)
        .outerjoin(link, link.c.task_id == Task.id)
        .outerjoin(owner, owner.id == link.c.user_id)
        .where(
            _scope(user, probe=True),
            *_narrowing(user, filters, today, probe=True),
            overdue_clause(today),
        )
        .subquery("chart_rows")
    )
    query = select(
        rows.c.user_id, rows.c.department_id, func.count(), _count(rows.c.place > 1)
    ).group_by(rows.c.user_id, rows.c.department_id)
    return [
        (owner_id, department_id, int(tasks), int(again))
        for owner_id, department_id, tasks, again in db.session.execute(query)
    ]


def _most_first(
    counts: dict[int, int], names: dict[int, str], limit: int
) -> list[tuple[str, int, int]]:
    """The most first, then by name (code point order, as the databases' C collation)."""
    bars = [(names[id_], count, id_) for id_, count in counts.items() if count and id_ in names]
    bars.sort(key=lambda bar: (-bar[1], bar[0], bar[2]))
    return bars[:limit]


def _counts_in_one_pass(user: User, filters: Filters, today: date) -> OverdueCounts:
    """The overdue counts of a filtered scope, from one pass over its overdue tasks."""
    per_owner: dict[int, int] = {}
    per_department: dict[int, int] = {}
    owner_rows = []
    for owner_id, department_id, tasks, again in _overdue_per_owner(user, filters, today):
        if owner_id is None:
            if department_id is not None:
                per_department[department_id] = per_department.get(department_id, 0) + tasks
        else:
            per_owner[owner_id] = tasks
            owner_rows.append((owner_id, tasks - again))
    departments_of: dict[int, int | None] = {
        id_: department_id
        for id_, department_id in db.session.execute(
            select(User.id, User.department_id).where(User.id.in_(list(per_owner)))
        )
    }
    for owner_id, tasks in owner_rows:
        if (department := departments_of[owner_id]) is not None:
            per_department[department] = per_department.get(department, 0) + tasks
    return OverdueCounts(per_owner, per_department, departments_of)


def overdue_counts(user: User, filters: Filters, today: date) -> OverdueCounts:
    """The overdue tasks per owner and per department of the user's dashboard: for the
    whole scope (no filter but the list's status) from the counts the database keeps,
    otherwise from one pass over the filtered overdue tasks. The same counts either way."""
    if filters == Filters(status=filters.status):
        require_dashboard(user)
        return kept_overdue_counts(managed_departments(user), today)
    return _counts_in_one_pass(user, filters, today)


def overdue_charts(user: User, filters: Filters, today: date, limit: int = 12) -> OverdueCharts:
    """Both overdue charts from the same counts (`overdue_counts`).

    By department: a task belongs to the departments of all its owners (its own without
    owners), each task once a department, so the bars may add up to more than the overdue
    figure. By owner: each owner's overdue tasks."""
    counts = overdue_counts(user, filters, today)
    names: dict[int, str] = {
        id_: name
        for id_, name in db.session.execute(
            select(User.id, User.name).where(User.id.in_(list(counts.per_owner)))
        )
    }
    departments: dict[int, str] = {
        id_: name
        for id_, name in db.session.execute(
            select(Department.id, Department.name).where(
                Department.id.in_(list(counts.per_department))
            )
        )
    }
    return OverdueCharts(
        by_department=_most_first(counts.per_department, departments, limit),
        by_owner=_most_first(counts.per_owner, names, limit),
    )


def overdue_by_department(
    user: User, filters: Filters, today: date, limit: int = 12
) -> list[tuple[str, int, int]]:
    """(name, overdue tasks, department id), the most first (see `overdue_charts`, which
    gives both charts for the price of one)."""
    return overdue_charts(user, filters, today, limit).by_department


def overdue_by_owner(
    user: User, filters: Filters, today: date, limit: int = 12
) -> list[tuple[str, int, int]]:
    """(name, overdue tasks, user id), the most first (see `overdue_charts`)."""
    return overdue_charts(user, filters, today, limit).by_owner


@dataclass(frozen=True)
class ReportRow:
    id: int
    name: str
    tasks: int
    done: int
    overdue: int


def report_progress(user: User, filters: Filters, today: date, limit: int = 15) -> list[ReportRow]:
    """The latest reports with a task on this dashboard, and their tasks' progress: the
    reports are chosen first (newest first, an index probe each), then only their tasks
    are counted (the report_id index), never every task of every report."""
    scope = (_scope(user), *_narrowing(user, filters, today))
    shown = exists().where(Task.report_id == Report.id, *scope)
    reports = db.session.execute(
        select(Report.id, func.coalesce(Report.destination, Report.source_filename))
        .where(shown)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    ).all()
    if not reports:
        return []
    counts = {
        report_id: (tasks, done, overdue)
        for report_id, tasks, done, overdue in db.session.execute(
            select(
                Task.report_id,
                func.count(Task.id),
                # As the list's "done" and "overdue" filters (`_status_clause`).
                _count(Task.status == TaskStatus.DONE),
                _count(overdue_clause(today)),
            )
            .where(*scope, Task.report_id.in_([report_id for report_id, _name in reports]))
            .group_by(Task.report_id)
        )
    }
    return [
        ReportRow(report_id, name, *(int(value) for value in counts[report_id]))
        for report_id, name in reports
        if report_id in counts
    ]


@dataclass(frozen=True)
class ListRow:
    task: Task
    days_overdue: int
    last_escalation: datetime | None

    @property
    def departments(self) -> list[str]:
        """The names of the task's departments (its owners', else its own), A to Z."""
        names = {owner.department.name for owner in self.task.owners if owner.department}
        if not self.task.owners and self.task.department is not None:
            names.add(self.task.department.name)
        return sorted(names)


def _list_query(
    user: User, filters: Filters, today: date, sort: str, timezone: str
) -> Select[Task]:
    order: tuple[Any, ...] = {
        "deadline": (Task.deadline.asc(), Task.id),
        "-deadline": (Task.deadline.desc(), Task.id),
        "title": (Task.title.asc(), Task.id),
        "-title": (Task.title.desc(), Task.id),
    }[sort if sort in SORTS else "deadline"]
    # The overdue list walks the overdue range; the others reach the scope through its ids.
    probe = filters.status == "overdue"
    return (
        select(Task)
        .where(
            _scope(user, probe=probe),
            *_narrowing(user, filters, today, probe=probe),
            _status_clause(filters.status, today, _month_start_utc(today, timezone)),
        )
        .order_by(*order)
    )


def _last_escalations(task_ids: Sequence[int]) -> dict[int, datetime]:
    """The latest escalation of each task, for the rows shown only (not every task)."""
    found: dict[int, datetime] = {}
    for chunk in chunks(task_ids):
        query = (
            select(Notification.task_id, func.max(Notification.created_at))
            .where(Notification.kind == Kind.ESCALATION, Notification.task_id.in_(chunk))
            .group_by(Notification.task_id)
        )
        found.update({task_id: at for task_id, at in db.session.execute(query)})
    return found


def _rows(tasks: Sequence[Task], today: date) -> list[ListRow]:
    escalations = _last_escalations([task.id for task in tasks])
    return [_row(task, escalations.get(task.id), today) for task in tasks]


_LIST_OPTIONS = (
    # The owners' departments name the task's departments in the list and the exports.
    selectinload(Task.owners).selectinload(User.department),
    selectinload(Task.report),
    selectinload(Task.department),
)


def _overdue_page_ids(ids_only: Select[Any], sort: str, offset: int, per_page: int) -> list[int]:
    """A page of the overdue list by deadline without sorting every overdue task: each
    active status's range of (status, deadline) is already in deadline order, so each
    gives its first `offset + per_page` ids and the page is taken from their merge."""
    enough = offset + per_page
    branches = [
        select(branch.c.id, branch.c.deadline).select_from(branch)
        for branch in (
            ids_only.add_columns(Task.deadline)
            .where(Task.status == status)
            .limit(enough)
            .subquery()
            for status in ACTIVE_STATUSES
        )
    ]
    merged = union_all(*branches).subquery("overdue_page")
    deadline = merged.c.deadline.desc() if sort == "-deadline" else merged.c.deadline.asc()
    return list(
        db.session.scalars(
            select(merged.c.id).order_by(deadline, merged.c.id).offset(offset).limit(per_page)
        )
    )


def task_list(
    user: User,
    filters: Filters,
    today: date,
    *,
    sort: str,
    page: int,
    per_page: int = 25,
    timezone: str = "UTC",
) -> tuple[list[ListRow], int]:
    """One page of the filtered tasks, and how many there are in all (`timezone`: the
    organisation's, where "this month" starts, as for `figures`).

    The page's ids first (sorted by deadline, from the index alone), then only those
    tasks: never a whole row of every task in the list to sort it."""
    query = _list_query(user, filters, today, sort, timezone)
    ids_only = query.with_only_columns(Task.id)
    total = db.session.scalar(select(func.count()).select_from(ids_only.order_by(None).subquery()))
    offset = (page - 1) * per_page
    if filters.status == "overdue" and sort in ("deadline", "-deadline"):
        page_ids = _overdue_page_ids(ids_only, sort, offset, per_page)
    else:
        page_ids = list(db.session.scalars(ids_only.offset(offset).limit(per_page)))
    loaded = {
        task.id: task
        for task in db.session.scalars(
            select(Task).where(Task.id.in_(page_ids)).options(*_LIST_OPTIONS)
        )
    }
    return _rows([loaded[id_] for id_ in page_ids], today), int(total or 0)


def _row(task: Task, last_escalation: datetime | None, today: date) -> ListRow:
    if last_escalation is not None and last_escalation.tzinfo is None:
        last_escalation = last_escalation.replace(tzinfo=UTC)
    return ListRow(task, task.days_overdue(today), last_escalation)


def filter_choices(user: User) -> tuple[Sequence[Department], Sequence[User], Sequence[Report]]:
    """The departments, owners and reports the user may filter by (their scope only)."""
    require_dashboard(user)
    departments = select(Department).order_by(Department.name)
    owners = select(User).where(User.active.is_(True)).order_by(User.name)
    if user.role is Role.MANAGER:
        subtree = (
            department_subtree_ids(user.department_id)
            if user.department_id is not None
            else select(Department.id).where(false())
        )
        departments = departments.where(Department.id.in_(subtree))
        owners = owners.where(User.department_id.in_(subtree))
    reports = (
        select(Report)
        .where(Report.status == ReportStatus.CONFIRMED)
        .order_by(Report.created_at.desc())
    )
    return (
        db.session.scalars(departments).all(),
        db.session.scalars(owners).all(),
        db.session.scalars(reports).all(),
    )


# --- Tasks without an active owner (#12: a person who left leaves their tasks behind) ----

ORPHANS_PER_PAGE = 20


def _without_active_owner(departments: Sequence[int] | None) -> ColumnElement[bool]:
    """No owner of the task is an active account (no owner at all included): the tasks of
    the deactivated people (few: from task_owners' (user_id, task_id) index) with no active
    co-owner, and the tasks without any owner: a probe of task_owners' key per unfinished
    task, or for a manager per task of their departments' own (an ownerless task is in
    their scope only there)."""
    link = task_owners.alias("left_link")
    gone = aliased(User, name="left_owner")
    co_link = task_owners.alias("left_co_link")
    colleague = aliased(User, name="left_co_owner")
    left_behind = (
        select(link.c.task_id)
        .join(gone, gone.id == link.c.user_id)
        .where(
            gone.active.is_(False),
            ~exists().where(
                co_link.c.task_id == link.c.task_id,
                colleague.id == co_link.c.user_id,
                colleague.active.is_(True),
            ),
        )
    )
    own = aliased(Task, name="left_task")
    any_owner = task_owners.alias("left_any_owner")
    unowned = select(own.id).where(
        own.status.in_(UNFINISHED_STATUSES), ~exists().where(any_owner.c.task_id == own.id)
    )
    if departments is not None:
        unowned = unowned.where(own.department_id.in_(departments))
    return Task.id.in_(union_all(left_behind, unowned))


def tasks_without_active_owner(
    user: User, page: int = 1, per_page: int = ORPHANS_PER_PAGE
) -> tuple[list[Task], int]:
    """Unfinished tasks of the user's dashboard that no active person owns, to be given to
    someone else on the task page; oldest deadline first (no deadline last). And the count."""
    condition = and_(
        _scope(user),
        Task.status.in_(UNFINISHED_STATUSES),
        _without_active_owner(managed_departments(user)),
    )
    total = db.session.scalar(select(func.count(Task.id)).where(condition)) or 0
    query = (
        select(Task)
        .where(condition)
        .order_by(Task.deadline.is_(None), Task.deadline, Task.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return list(db.session.scalars(query).all()), total


# --- The whole list, for the streamed exports (#13) ---------------------------------------


def list_select(
    user: User, filters: Filters, today: date, sort: str, timezone: str = "UTC"
) -> Select[Task]:
    """The list's query (scope, filters, status, order) without paging or loading options:
    the exports stream it, choosing the columns they need."""
    return _list_query(user, filters, today, sort, timezone)


# --- The dashboard's scope for other views over the same tasks (#14) ----------------------


def scope_clauses(user: User, filters: Filters, today: date) -> list[ColumnElement[bool]]:
    """The tasks this user's dashboard covers narrowed by the filters, status aside: the
    progress report and the trends read exactly what the dashboard would count."""
    return [_scope(user), *_narrowing(user, filters, today)]


def departments_in_scope(user: User, filters: Filters) -> list[int] | None:
    """The departments the user's dashboard covers, narrowed to the filter's subtree; None
    when every department is covered (staff and admins without a department filter)."""
    managed = managed_departments(user)
    if filters.department_id is None:
        return managed
    subtree = departments_below([filters.department_id])
    return subtree if managed is None else [d for d in subtree if d in set(managed)]


def bar_names(filters: Filters) -> list[str]:
    """The names of the departments and owners of the charts' bars the list is narrowed to."""
    names: list[str] = []
    for model, ids in ((Department, filters.in_department_ids), (User, filters.with_owner_ids)):
        if ids:
            query = select(model.id, model.name).where(model.id.in_(ids))
            found = {id_: name for id_, name in db.session.execute(query)}
            names.extend(found[id_] for id_ in ids if id_ in found)
    return names
