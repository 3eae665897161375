"""The dashboard's list for the exports, read from the database a chunk at a time.

The rows are the list's (the same scope, filters, status and order: `services.list_select`),
with only the columns an export writes: the columns of the progress report's table (#14).
The database streams them (`yield_per`: a server-side cursor on PostgreSQL); for each chunk
the owners, the last escalations, the requests for more time, and the departments and
reports not met before are gathered set-based, a query each (in slices of
`batches.CHUNK_SIZE` ids), never a query per row. Memory holds one chunk, whatever the size
of the list.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

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
    ExtensionRequest,
    ExtensionStatus,
    Notification,
    Report,
    Task,
    TaskStatus,
    User,
    task_owners,
)
from tracker.notifications.policy import Kind

# The columns an export reads of a task: id, title, report, department, status, deadline,
# deadline as written, completion time, what was done, evidence address, evidence file,
# expected result, cancel reason.
ExportColumns = tuple[
    int,
    str,
    int | None,
    int | None,
    TaskStatus,
    date | None,
    str | None,
    datetime | None,
    str | None,
    str | None,
    str | None,
    str | None,
    str | None,
]
ExportSelect = Select[*ExportColumns]
ExportRecord = Row[*ExportColumns]

# Rows read from the database at a time (the memory an export holds).
EXPORT_CHUNK = 2000
# The most rows an export holds, as before the exports streamed.
EXPORT_LIMIT = 100_000


class ExtensionEntry(NamedTuple):
    """A request for more time and its decision, as the exports write it."""

    current_deadline: date | None
    proposed_deadline: date
    status: ExtensionStatus
    decision_note: str
    reason: str = ""  # why more time was asked for


class ExportRow(NamedTuple):
    """One task as the exports write it: the progress report's columns, names resolved."""

    id: int
    title: str
    report: str
    owners: str
    departments: str
    status: TaskStatus
    deadline: date | None
    deadline_text: str
    completed_on: date | None  # in the organisation's time zone
    completion_note: str  # what was done
    evidence: str  # the address given, the link to the file: a line each
    expected_result: str
    cancel_reason: str
    extensions: tuple[ExtensionEntry, ...]  # oldest first
    days_overdue: int
    last_escalation: date | None


@dataclass(frozen=True)
class Export:
    """The rows of one export: how many, and a way to read them a chunk at a time."""

    query: ExportSelect
    today: date
    timezone: str = "UTC"  # where a completion time falls on a day
    base_url: str = ""  # the site's address: the evidence files' links are absolute

    def count(self, session: Session) -> int:
        """How many rows the export holds (one COUNT over the same query)."""
        query = select(func.count()).select_from(self.query.order_by(None).subquery())
        return int(session.scalar(query) or 0)

    def chunks(self, session: Session, size: int | None = None) -> Iterator[list[ExportRow]]:
        """The rows, a chunk at a time, read through `session`."""
        context = _Context(self.today, ZoneInfo(self.timezone), self.base_url.rstrip("/"))
        return read_chunks(session, self.query, context, size or EXPORT_CHUNK)

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
    base_url: str = "",
) -> Export:
    """The user's dashboard list as an export (at most `limit` rows); `base_url` makes the
    evidence files' links absolute (the sheet is read away from the site)."""
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
            Task.completed_at,
            Task.completion_note,
            Task.evidence_url,
            Task.evidence_file,
            Task.expected_result,
            Task.cancel_reason,
        )
        .limit(limit or EXPORT_LIMIT)
    )
    return Export(query=query, today=today, timezone=timezone, base_url=base_url)


@dataclass(frozen=True)
class _Context:
    today: date
    zone: ZoneInfo
    base_url: str


def read_chunks(
    session: Session, query: ExportSelect, context: _Context, size: int
) -> Iterator[list[ExportRow]]:
    names = _Names(session)
    # Core rows (plain tuples), not the ORM's: the export needs columns, not entities.
    result = session.connection().execute(query.execution_options(yield_per=size))
    try:
        for partition in result.partitions():
            yield _chunk(partition, context, names)
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


def _extensions(session: Session, task_ids: Sequence[int]) -> dict[int, list[ExtensionEntry]]:
    """Each task's requests for more time, oldest first (the extension requests' task_id
    index; most tasks have none)."""
    postgresql, slices = _id_slices(session, task_ids)
    query = (
        select(
            ExtensionRequest.task_id,
            ExtensionRequest.current_deadline,
            ExtensionRequest.proposed_deadline,
            ExtensionRequest.status,
            ExtensionRequest.decision_note,
            ExtensionRequest.reason,
        )
        .where(_with_ids(ExtensionRequest.task_id, postgresql))
        .order_by(ExtensionRequest.task_id, ExtensionRequest.requested_at, ExtensionRequest.id)
    )
    found: dict[int, list[ExtensionEntry]] = {}
    for ids in slices:
        for task_id, current, proposed, status, note, reason in session.connection().execute(
            query, {"ids": list(ids)}
        ):
            entry = ExtensionEntry(current, proposed, status, note or "", reason or "")
            found.setdefault(task_id, []).append(entry)
    return found


_ACTIVE = frozenset(ACTIVE_STATUSES)
_NO_OWNERS: _Owners = ([], set())


@dataclass(frozen=True)
class _Related:
    """What a chunk's rows need besides their own columns, read a query each."""

    owners: dict[int, _Owners]
    escalations: dict[int, date]
    extensions: dict[int, list[ExtensionEntry]]


def _chunk(partition: Sequence[ExportRecord], context: _Context, names: _Names) -> list[ExportRow]:
    ids = [row[0] for row in partition]
    related = _Related(
        _owners(names.session, ids),
        _last_escalations(names.session, ids),
        _extensions(names.session, ids),
    )
    departments: set[int | None] = {row[3] for row in partition}
    for _names, owned in related.owners.values():
        departments.update(owned)
    names.learn(departments, {row[2] for row in partition})
    return [_row(row, related, context, names) for row in partition]


def _evidence(task_id: int, url: str | None, file: str | None, base_url: str) -> str:
    """The address given as evidence and the link to the file (the task's download route,
    as the progress report links it), a line each."""
    links = [url] if url else []
    if file:
        links.append(f"{base_url}/tasks/{task_id}/evidence")
    return "\n".join(links)


def _days_overdue(status: TaskStatus, deadline: date | None, today: date) -> int:
    if status in _ACTIVE and deadline is not None and deadline < today:
        return (today - deadline).days
    return 0


def _local_day(at: datetime | None, zone: ZoneInfo) -> date | None:
    return at.astimezone(zone).date() if at is not None else None


def _row(row: ExportRecord, related: _Related, context: _Context, names: _Names) -> ExportRow:
    (id_, title, report_id, department_id, status, deadline, deadline_text) = row[:7]
    (completed_at, note, evidence_url, evidence_file, expected, cancel_reason) = row[7:]
    owner_names, departments = related.owners.get(id_, _NO_OWNERS)
    if not owner_names and department_id is not None:
        departments = {department_id}  # a task without owners: its own department
    # The texts a task may not have, as empty cells.
    written, done, wanted, why = (
        value or "" for value in (deadline_text, note, expected, cancel_reason)
    )
    return ExportRow(
        id_,
        title,
        names.reports.get(report_id, ""),
        ", ".join(owner_names),
        names.of_departments(departments),
        status,
        deadline,
        written,
        _local_day(completed_at, context.zone),
        done,
        _evidence(id_, evidence_url, evidence_file, context.base_url),
        wanted,
        why,
        tuple(related.extensions.get(id_, ())),
        _days_overdue(status, deadline, context.today),
        related.escalations.get(id_),
    )
