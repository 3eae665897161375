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
from datetime import UTC, date, datetime

from sqlalchemy import Engine, Row, Select, func, select
from sqlalchemy.orm import Session

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


@dataclass(frozen=True, slots=True)
class ExportRow:
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
    user: User, filters: services.Filters, today: date, *, sort: str, limit: int | None = None
) -> Export:
    """The user's dashboard list as an export (at most `limit` rows)."""
    query = (
        services.list_select(user, filters, today, sort)
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
    result = session.execute(query.execution_options(yield_per=size))
    try:
        for partition in result.partitions():
            yield _chunk(partition, today, names)
    finally:
        result.close()


@dataclass(frozen=True)
class _Owner:
    name: str
    department_id: int | None


class _Names:
    """The names of departments and reports, each read once per export (there are few)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.departments: dict[int, str] = {}
        self.reports: dict[int, str] = {}

    def learn(self, department_ids: set[int], report_ids: set[int]) -> None:
        for chunk in chunks(sorted(department_ids - self.departments.keys())):
            query = select(Department.id, Department.name).where(Department.id.in_(chunk))
            self.departments.update({id_: name for id_, name in self.session.execute(query)})
        for chunk in chunks(sorted(report_ids - self.reports.keys())):
            reports = select(Report.id, Report.destination, Report.source_filename).where(
                Report.id.in_(chunk)
            )
            self.reports.update(
                {
                    id_: destination or filename
                    for id_, destination, filename in self.session.execute(reports)
                }
            )


def _owners(session: Session, task_ids: Sequence[int]) -> dict[int, list[_Owner]]:
    """The owners of each task, by name (as the task's `owners` are ordered)."""
    found: dict[int, list[_Owner]] = {}
    for chunk in chunks(task_ids):
        query = (
            select(task_owners.c.task_id, User.name, User.department_id)
            .join(User, User.id == task_owners.c.user_id)
            .where(task_owners.c.task_id.in_(chunk))
            .order_by(task_owners.c.task_id, User.name)
        )
        for task_id, name, department_id in session.execute(query):
            found.setdefault(task_id, []).append(_Owner(name, department_id))
    return found


def _last_escalations(session: Session, task_ids: Sequence[int]) -> dict[int, date]:
    """The day (UTC) of each task's latest escalation, as the list shows it."""
    found: dict[int, date] = {}
    for chunk in chunks(task_ids):
        query = (
            select(Notification.task_id, func.max(Notification.created_at))
            .where(Notification.kind == Kind.ESCALATION, Notification.task_id.in_(chunk))
            .group_by(Notification.task_id)
        )
        for task_id, at in session.execute(query):
            found[task_id] = _utc(at).date()
    return found


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _chunk(partition: Sequence[ExportRecord], today: date, names: _Names) -> list[ExportRow]:
    ids = [row.id for row in partition]
    owners = _owners(names.session, ids)
    escalations = _last_escalations(names.session, ids)
    names.learn(
        {o.department_id for found in owners.values() for o in found if o.department_id}
        | {row.department_id for row in partition if row.department_id is not None},
        {row.report_id for row in partition if row.report_id is not None},
    )
    return [
        _row(row, owners.get(row.id, []), escalations.get(row.id), today, names)
        for row in partition
    ]


def _departments(owners: list[_Owner], own: int | None, names: _Names) -> str:
    """The task's departments (its owners', else its own), A to Z."""
    ids = {owner.department_id for owner in owners} if owners else {own}
    return ", ".join(
        sorted({names.departments.get(id_, "") for id_ in ids if id_ is not None} - {""})
    )


def _days_overdue(status: TaskStatus, deadline: date | None, today: date) -> int:
    """As `Task.days_overdue`."""
    if status in ACTIVE_STATUSES and deadline is not None and deadline < today:
        return (today - deadline).days
    return 0


def _row(
    row: ExportRecord, owners: list[_Owner], escalation: date | None, today: date, names: _Names
) -> ExportRow:
    return ExportRow(
        id=row.id,
        title=row.title,
        report=names.reports.get(row.report_id, "") if row.report_id is not None else "",
        owners=", ".join(owner.name for owner in owners),
        departments=_departments(owners, row.department_id, names),
        status=row.status,
        deadline=row.deadline,
        deadline_text=row.deadline_text or "",
        days_overdue=_days_overdue(row.status, row.deadline, today),
        last_escalation=escalation,
    )
