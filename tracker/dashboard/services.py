"""Every figure of the dashboard as one SQL aggregate over the tasks the user may manage.

A manager's dashboard covers their department and the departments below it; staff and
admins see everything. Filters narrow that scope and can never widen it.

A task belongs to the departments of all its owners: a department's figures (its filter,
its bar of a chart) count every task with an owner there, each task once; the figures of
the whole scope count each task once however many departments it belongs to (they are
aggregates over tasks, narrowed by EXISTS, never over a join with the owners).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    select,
    true,
    union,
)
from sqlalchemy.orm import selectinload

from tracker.batches import chunks
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
    department_subtree_ids,
    in_departments,
    managed_by,
)

DASHBOARD_ROLES = OVERSEERS
STATUS_FILTERS = (
    "overdue",
    "open",
    "in_progress",
    "awaiting_acceptance",
    "done",
    "cancelled",
    "all",
)
SORTS = ("deadline", "-deadline", "title", "-title")
AGING_BUCKETS = ((1, 7), (8, 30), (31, 90), (91, None))


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


def _scope(user: User) -> ColumnElement[bool]:
    """The tasks this user's dashboard covers: never drafts; a manager's departments."""
    require_dashboard(user)
    return and_(Task.status != TaskStatus.DRAFT, managed_by(user))


def _narrowing(user: User, filters: Filters, today: date) -> list[ColumnElement[bool]]:
    """The filters, except status (figures count every status; the list uses it)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.digest_invalid:
        clauses.append(false())  # a damaged link shows nothing rather than everything
    elif filters.digest is not None:
        # One section of the viewer's own digest: another user's link shows their own.
        clauses.append(digest_clause(filters.digest, user.id))
    if filters.department_id is not None:
        clauses.append(in_departments(department_subtree_ids(filters.department_id)))
    if filters.owner_id is not None:
        # An alias: the by-owner figure joins task_owners itself, and must not correlate.
        link = task_owners.alias("owner_filter")
        clauses.append(
            exists().where(link.c.task_id == Task.id, link.c.user_id == filters.owner_id)
        )
    if filters.report_id is not None:
        clauses.append(Task.report_id == filters.report_id)
    if filters.deadline_from is not None:
        clauses.append(Task.deadline >= filters.deadline_from)
    if filters.deadline_to is not None:
        clauses.append(Task.deadline <= filters.deadline_to)
    return clauses


def _status_clause(status: str, today: date) -> ColumnElement[bool]:
    if status == "overdue":
        return overdue_clause(today)
    if status == "all":
        return true()
    return Task.status == TaskStatus(status)


def _count(condition: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _month_start_utc(today: date, timezone: str) -> datetime:
    local = datetime(today.year, today.month, 1, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class Figures:
    headline: Headline
    aging: list[tuple[str, int]]


def _aging_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high else f"> {low - 1}"


def figures(user: User, filters: Filters, today: date, timezone: str) -> Figures:
    """The headline figures and the aging buckets in two passes: one over the (status,
    deadline) index grouped by status, one over the done tasks for completion dates."""
    scope = (_scope(user), *_narrowing(user, filters, today))
    before_today = and_(Task.deadline.is_not(None), Task.deadline < today)
    soon = and_(Task.deadline >= today, Task.deadline <= today + timedelta(days=14))
    buckets = []
    for low, high in AGING_BUCKETS:
        bucket = Task.deadline <= today - timedelta(days=low)
        if high is not None:
            bucket = and_(bucket, Task.deadline >= today - timedelta(days=high))
        buckets.append(_count(bucket))
    by_status = db.session.execute(
        select(Task.status, func.count(), _count(before_today), _count(soon), *buckets)
        .where(*scope)
        .group_by(Task.status)
    ).all()
    open_ = overdue = due_soon = due = awaiting = 0
    aging = [0] * len(AGING_BUCKETS)
    for status, total, late, upcoming, *bucket_counts in by_status:
        if status is TaskStatus.AWAITING_ACCEPTANCE:
            awaiting += total
        if status in ACTIVE_STATUSES:
            open_ += total
            overdue += late
            due_soon += upcoming
            aging = [a + int(b) for a, b in zip(aging, bucket_counts, strict=True)]
        if status is not TaskStatus.CANCELLED:
            due += late
    done_this_month, done_on_time = db.session.execute(
        select(
            _count(Task.completed_at >= _month_start_utc(today, timezone)),
            # date() of the completion time: the same SQL on SQLite and PostgreSQL.
            _count(and_(before_today, func.date(Task.completed_at) <= Task.deadline)),
        ).where(*scope, Task.status == TaskStatus.DONE)
    ).one()
    return Figures(
        headline=Headline(
            open=int(open_),
            overdue=int(overdue),
            due_soon=int(due_soon),
            done_this_month=int(done_this_month),
            due=int(due),
            done_on_time=int(done_on_time),
            awaiting_acceptance=int(awaiting),
        ),
        aging=[
            (_aging_label(low, high), count)
            for (low, high), count in zip(AGING_BUCKETS, aging, strict=True)
        ],
    )


def task_departments() -> CompoundSelect:
    """(task id, department id) for each department a task belongs to: its owners'
    departments, or its own for a task without owners. UNION: two owners of one
    department make one pair."""
    owners_departments = select(
        task_owners.c.task_id.label("task_id"), User.department_id.label("department_id")
    ).join(User, User.id == task_owners.c.user_id)
    unowned = select(Task.id, Task.department_id).where(
        ~exists().where(task_owners.c.task_id == Task.id)
    )
    return union(owners_departments, unowned)


def overdue_by_department(
    user: User, filters: Filters, today: date, limit: int = 12
) -> list[tuple[str, int, int]]:
    """(name, overdue tasks, department id), the most first: a task of two departments is
    a task of each (the bars may add up to more than the overdue figure)."""
    pairs = task_departments().subquery("department_of_task")
    tasks = func.count(func.distinct(Task.id))
    query = (
        select(Department.name, tasks, Department.id)
        .select_from(Task)
        .join(pairs, pairs.c.task_id == Task.id)
        .join(Department, Department.id == pairs.c.department_id)
        .where(_scope(user), *_narrowing(user, filters, today), overdue_clause(today))
        .group_by(Department.id, Department.name)
        .order_by(tasks.desc(), Department.name)
        .limit(limit)
    )
    return [(name, count, id_) for name, count, id_ in db.session.execute(query)]


def overdue_by_owner(
    user: User, filters: Filters, today: date, limit: int = 12
) -> list[tuple[str, int, int]]:
    """(name, overdue tasks, user id), the most first."""
    query = (
        select(User.name, func.count(Task.id), User.id)
        .select_from(Task)
        .join(task_owners, task_owners.c.task_id == Task.id)
        .join(User, User.id == task_owners.c.user_id)
        .where(_scope(user), *_narrowing(user, filters, today), overdue_clause(today))
        .group_by(User.id, User.name)
        .order_by(func.count(Task.id).desc(), User.name)
        .limit(limit)
    )
    return [(name, count, id_) for name, count, id_ in db.session.execute(query)]


@dataclass(frozen=True)
class ReportRow:
    id: int
    name: str
    tasks: int
    done: int
    overdue: int


def report_progress(user: User, filters: Filters, today: date, limit: int = 15) -> list[ReportRow]:
    query = (
        select(
            Report.id,
            func.coalesce(Report.destination, Report.source_filename),
            func.count(Task.id),
            _count(Task.status == TaskStatus.DONE),
            _count(overdue_clause(today)),
        )
        .join(Report, Report.id == Task.report_id)
        .where(_scope(user), *_narrowing(user, filters, today))
        .group_by(Report.id, Report.destination, Report.source_filename, Report.created_at)
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return [ReportRow(*row) for row in db.session.execute(query)]


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


def _list_query(user: User, filters: Filters, today: date, sort: str) -> Select[Task]:
    order: tuple[Any, ...] = {
        "deadline": (Task.deadline.asc(), Task.id),
        "-deadline": (Task.deadline.desc(), Task.id),
        "title": (Task.title.asc(), Task.id),
        "-title": (Task.title.desc(), Task.id),
    }[sort if sort in SORTS else "deadline"]
    return (
        select(Task)
        .where(
            _scope(user), *_narrowing(user, filters, today), _status_clause(filters.status, today)
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


def task_list(
    user: User, filters: Filters, today: date, *, sort: str, page: int, per_page: int = 25
) -> tuple[list[ListRow], int]:
    """One page of the filtered tasks, and how many there are in all."""
    query = _list_query(user, filters, today, sort)
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).with_only_columns(Task.id).subquery())
    )
    tasks = db.session.scalars(
        query.options(*_LIST_OPTIONS).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return _rows(tasks, today), int(total or 0)


def all_rows(
    user: User, filters: Filters, today: date, *, sort: str, limit: int = 100_000
) -> list[ListRow]:
    """Every filtered task, for the exports."""
    query = _list_query(user, filters, today, sort).options(*_LIST_OPTIONS).limit(limit)
    return _rows(db.session.scalars(query).all(), today)


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


def _without_active_owner() -> ColumnElement[bool]:
    """No owner of the task is an active account (no owner at all included)."""
    active_owner = (
        select(task_owners.c.task_id)
        .join(User, User.id == task_owners.c.user_id)
        .where(task_owners.c.task_id == Task.id, User.active.is_(True))
    )
    return ~exists(active_owner)


def tasks_without_active_owner(
    user: User, page: int = 1, per_page: int = ORPHANS_PER_PAGE
) -> tuple[list[Task], int]:
    """Unfinished tasks of the user's dashboard that no active person owns, to be given to
    someone else on the task page; oldest deadline first (no deadline last). And the count."""
    condition = and_(_scope(user), Task.status.in_(UNFINISHED_STATUSES), _without_active_owner())
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


def list_select(user: User, filters: Filters, today: date, sort: str) -> Select[Task]:
    """The list's query (scope, filters, status, order) without paging or loading options:
    the exports stream it, choosing the columns they need."""
    return _list_query(user, filters, today, sort)
