"""The dashboard's list for the exports, read from the database a chunk at a time.

The rows are the list's (the same scope, filters, status and order: `services.list_select`),
with only the columns an export writes. The database streams them (`yield_per`: a
server-side cursor on PostgreSQL); for each chunk the owners, the last escalations, and the
departments and reports not met before are gathered set-based, a query each (in slices of
`batches.CHUNK_SIZE` ids), never a query per row. Memory holds one chunk, whatever the size
of the list.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Engine,
    Integer,
    Row,
    Select,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from tracker.batches import chunks
from tracker.dashboard import services
from tracker.models import (
    ACTIVE_STATUSES,
    Department,
    Notification,
    Report,
    Task,
    TaskStatus,
    User,
    task_owners,
)
from tracker.notifications.policy import Kind

# The columns an export reads of a task: id, title, report, department, status, deadline,
# deadline as written.
ExportSelect = Select[int, str, int | None, int | None, TaskStatus, date | None, str | None]
ExportRecord = Row[int, str, int | None, int | None, TaskStatus, date | None, str | None]

# Rows read from the database at a time (the memory an export holds).
EXPORT_CHUNK = 2000
# The most rows an export holds, as before the exports streamed.
EXPORT_LIMIT = 100_000


class ExportRow(NamedTuple):
    """One task as the exports write it: the list's columns, names resolved."""

    id: int
    title: str
    report: str
    owners: str
    departments: str
    status: TaskStatus
    deadline: date | None
    deadline_text: str
    days_overdue: int
    last_escalation: date | None


@dataclass(frozen=True)
class Export:
    """The rows of one export: how many, and a way to read them a chunk at a time."""

    query: ExportSelect
    today: date

    def count(self, session: Session) -> int:
        """How many rows the export holds (one COUNT over the same query)."""
        query = select(func.count()).select_from(self.query.order_by(None).subquery())
        return int(session.scalar(query) or 0)

    def chunks(self, session: Session, size: int | None = None) -> Iterator[list[ExportRow]]:
        """The rows, a chunk at a time, read through `session`."""
        return read_chunks(session, self.query, self.today, size or EXPORT_CHUNK)

    def streamed(self, engine: Engine, size: int | None = None) -> Iterator[list[ExportRow]]:
        """The rows read in a database session of their own, opened at the first chunk and
        closed after the last: a streamed body is read after the view returned, when the
        request's session is gone (and maybe in another `contextvars` context, where the
        request's context cannot be pushed again, as `stream_with_context` would)."""
        with Session(engine) as session:
            yield from self.chunks(session, size)


def prepare(
    user: User,
    filters: services.Filters,
    today: date,
    *,
    sort: str,
    limit: int | None = None,
    timezone: str = "UTC",
) -> Export:
    """The user's dashboard list as an export (at most `limit` rows)."""
    query = (
        services.list_select(user, filters, today, sort, timezone)
        .with_only_columns(
            Task.id,
            Task.title,
            Task.report_id,
            Task.department_id,
            Task.status,
            Task.deadline,
            Task.deadline_text,
        )
        .limit(limit or EXPORT_LIMIT)
    )
    return Export(query=query, today=today)


def read_chunks(
    session: Session, query: ExportSelect, today: date, size: int
) -> Iterator[list[ExportRow]]:
    names = _Names(session)
    # Core rows (plain tuples), not the ORM's: the export needs columns, not entities.
    result = session.connection().execute(query.execution_options(yield_per=size))
    try:
        for partition in result.partitions():
            yield _chunk(partition, today, names)
    finally:
        result.close()


class _Names:
    """The names of departments and reports, each read once per export (there are few)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.departments: dict[int | None, str] = {}
        self.reports: dict[int | None, str] = {}

    def learn(self, department_ids: set[int | None], report_ids: set[int | None]) -> None:
        new_departments = sorted(id_ for id_ in department_ids - self.departments.keys() if id_)
        for chunk in chunks(new_departments):
            query = select(Department.id, Department.name).where(Department.id.in_(chunk))
            self.departments.update((id_, name) for id_, name in self.session.execute(query))
        for chunk in chunks(sorted(id_ for id_ in report_ids - self.reports.keys() if id_)):
            reports = select(Report.id, Report.destination, Report.source_filename).where(
                Report.id.in_(chunk)
            )
            for id_, destination, filename in self.session.execute(reports):
                self.reports[id_] = destination or filename

    def of_departments(self, ids: set[int]) -> str:
        """The names of these departments, A to Z."""
        if len(ids) == 1:
            for id_ in ids:
                return self.departments.get(id_, "")
        return ", ".join(sorted({self.departments[id_] for id_ in ids if id_ in self.departments}))


# A task's owners: their names (A to Z) and their departments.
_Owners = tuple[list[str], set[int]]


def _with_ids(
    column: ColumnElement[int] | InstrumentedAttribute[int], postgresql: bool
) -> ColumnElement[bool]:
    """`column` is one of the ids bound to "ids": on PostgreSQL one array parameter (one
    statement text whatever the number of ids: the driver parses it once); elsewhere an
    expanding IN, given in slices (`batches`)."""
    if postgresql:
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


def _id_slices(session: Session, ids: Sequence[int]) -> tuple[bool, Iterator[Sequence[int]]]:
    postgresql = session.get_bind().dialect.name == "postgresql"
    return postgresql, iter([ids]) if postgresql else chunks(ids)


def _owners(session: Session, task_ids: Sequence[int]) -> dict[int, _Owners]:
    """The owners of each task, by name (as the task's `owners` are ordered)."""
    postgresql, slices = _id_slices(session, task_ids)
    query = (
        select(task_owners.c.task_id, User.name, User.department_id)
        .join(User, User.id == task_owners.c.user_id)
        .where(_with_ids(task_owners.c.task_id, postgresql))
        .order_by(task_owners.c.task_id, User.name)
    )
    found: dict[int, _Owners] = {}
    for ids in slices:
        for task_id, name, department_id in session.connection().execute(query, {"ids": list(ids)}):
            owners = found.get(task_id)
            if owners is None:
                found[task_id] = owners = ([], set())
            owners[0].append(name)
            if department_id is not None:
                owners[1].add(department_id)
    return found


def _last_escalations(session: Session, task_ids: Sequence[int]) -> dict[int, date]:
    """The day (UTC: the column's type reads times in UTC) of each task's latest
    escalation, as the list shows it."""
    postgresql, slices = _id_slices(session, task_ids)
    query = (
        select(Notification.task_id, func.max(Notification.created_at))
        .where(Notification.kind == Kind.ESCALATION, _with_ids(Notification.task_id, postgresql))
        .group_by(Notification.task_id)
    )
    found: dict[int, date] = {}
    for ids in slices:
        rows = session.connection().execute(query, {"ids": list(ids)}).all()
        found.update((task_id, at.date()) for task_id, at in rows)
    return found


_ACTIVE = frozenset(ACTIVE_STATUSES)
_NO_OWNERS: _Owners = ([], set())


def _chunk(partition: Sequence[ExportRecord], today: date, names: _Names) -> list[ExportRow]:
    ids = [row[0] for row in partition]
    owners = _owners(names.session, ids)
    escalations = _last_escalations(names.session, ids)
    departments: set[int | None] = {row[3] for row in partition}
    for _names, owned in owners.values():
        departments.update(owned)
    names.learn(departments, {row[2] for row in partition})
    return [
        _row(row, owners.get(row[0], _NO_OWNERS), escalations.get(row[0]), today, names)
        for row in partition
    ]


def _row(
    row: ExportRecord, owners: _Owners, escalation: date | None, today: date, names: _Names
) -> ExportRow:
    id_, title, report_id, department_id, status, deadline, deadline_text = row
    owner_names, departments = owners
    if not owner_names and department_id is not None:
        departments = {department_id}  # a task without owners: its own department
    overdue = status in _ACTIVE and deadline is not None and deadline < today
    return ExportRow(
        id_,
        title,
        names.reports.get(report_id, ""),
        ", ".join(owner_names),
        names.of_departments(departments),
        status,
        deadline,
        deadline_text or "",
        (today - deadline).days if overdue else 0,  # type: ignore[operator]
        escalation,
    )
