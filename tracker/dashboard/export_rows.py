"""The dashboard's list for the exports, read from the database a chunk at a time.

The rows are the list's (the same scope, filters, status and order: `services.list_select`),
with only the columns an export writes: the columns of the progress report's table (#14).
The list's query gives the tasks' ids in its order, streamed (`yield_per`: a server-side
cursor on PostgreSQL); for each chunk of ids one query reads what the export writes of those
tasks (the ids bound as one value: one statement, compiled once), with the report's and the
task's department's names, the ids of the owners and the day of the last escalation. The
owners' names and departments are worked out once per set of owners from the users, read
once per export; the requests for more time only for the chunk's tasks that have one (few
do). An export is CPU-bound (#13 point 3): little is done per row in Python, and the rows are
plain tuples. Memory holds one chunk, whatever the size of the list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    Row,
    ScalarSelect,
    Select,
    String,
    TableValuedAlias,
    bindparam,
    cast,
    exists,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

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
    """One task as the exports write it: the progress report's columns, names resolved.
    The reader yields plain tuples of this shape (`ExportValues`): no object per row."""

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


# ExportRow's fields, in its order, as a plain tuple.
ExportValues = tuple[
    int,
    str,
    str,
    str,
    str,
    TaskStatus,
    date | None,
    str,
    date | None,
    str,
    str,
    str,
    str,
    tuple[ExtensionEntry, ...],
    int,
    date | None,
]

# The columns the chunk's query reads of a task: ExportRow's, with the owners' ids (not yet
# the names, NULL for none) and the task's own department (the departments of a task without
# owners), the status's value, the completion time (not yet its day), the evidence address
# and file (not yet the cell), whether the task has requests for more time (not yet them)
# and no days overdue.
ChunkColumns = tuple[
    int,
    str,
    str,
    str | None,
    str,
    str,
    date | None,
    str,
    datetime | None,
    str,
    str | None,
    str | None,
    str,
    str,
    bool,
    date | None,
]
ChunkRecord = Row[*ChunkColumns]


@dataclass(frozen=True)
class Export:
    """The rows of one export: how many, and a way to read them a chunk at a time."""

    query: Select[int]  # the ids of the list's tasks, in its order
    today: date
    timezone: str = "UTC"  # where a completion time falls on a day
    base_url: str = ""  # the site's address: the evidence files' links are absolute

    def count(self, session: Session) -> int:
        """How many rows the export holds (one COUNT over the same query)."""
        query = select(func.count()).select_from(self.query.order_by(None).subquery())
        return int(session.scalar(query) or 0)

    def chunks(self, session: Session, size: int | None = None) -> Iterator[list[ExportValues]]:
        """The rows, a chunk at a time, read through `session`."""
        context = _Context(self.today, ZoneInfo(self.timezone), self.base_url.rstrip("/"))
        return read_chunks(session, self.query, context, size or EXPORT_CHUNK)

    def streamed(self, engine: Engine, size: int | None = None) -> Iterator[list[ExportValues]]:
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
        .with_only_columns(Task.id)
        .limit(limit or EXPORT_LIMIT)
    )
    return Export(query=query, today=today, timezone=timezone, base_url=base_url)


@dataclass(frozen=True)
class _Context:
    today: date
    zone: ZoneInfo
    base_url: str


def read_chunks(
    session: Session, query: Select[int], context: _Context, size: int
) -> Iterator[list[ExportValues]]:
    postgresql = session.get_bind().dialect.name == "postgresql"
    rows_query = _chunk_select(postgresql)
    extensions_query = _extensions_select(postgresql)
    connection = session.connection()
    # Core rows (plain tuples), not the ORM's: the export needs columns, not entities.
    result = connection.execute(query.execution_options(yield_per=size))
    owners: _Owners | None = None
    try:
        for partition in result.partitions():
            owners = owners or _Owners(connection)
            task_ids = [row[0] for row in partition]
            bound = {"ids": _bound_ids(task_ids, postgresql)}
            read = connection.execute(rows_query, bound).all()  # at once: not a call a row
            found = {record[0]: record for record in read}
            # In the list's order (cheaper here than sorted by the database); a task deleted
            # since the list was read is left out.
            records = [found[id_] for id_ in task_ids if id_ in found]
            asked = [record[0] for record in records if record[14]]
            extensions = _extensions(connection, extensions_query, asked, postgresql)
            yield _rows(records, extensions, owners, context)
    finally:
        result.close()


def _bound_ids(ids: list[int], postgresql: bool) -> Any:
    """The chunk's ids as one bound value, whatever their number (one statement text, compiled
    and parsed once): an array on PostgreSQL, a JSON array elsewhere (SQLite's json_each)."""
    return ids if postgresql else json.dumps(ids)


def _ids_table(postgresql: bool) -> TableValuedAlias:
    """The ids bound to "ids" as a table (of one column, "value")."""
    if postgresql:
        array = bindparam("ids", type_=ARRAY(Integer))
        return func.unnest(array).table_valued("value").render_derived(name="chunk_ids")
    return func.json_each(bindparam("ids")).table_valued("value", name="chunk_ids")


def _owner_ids(postgresql: bool) -> ScalarSelect[str]:
    """The ids of the task's owners, comma-separated, in no order; NULL for a task without
    owners (read from the task owners' primary key alone)."""
    if postgresql:
        joined = func.string_agg(cast(task_owners.c.user_id, String), literal(","))
    else:
        joined = func.group_concat(task_owners.c.user_id, type_=String)
    return select(joined).where(task_owners.c.task_id == Task.id).scalar_subquery()


class _Owners:
    """The owners' names (A to Z, as the database orders a task's `owners`) and their
    departments (A to Z, each once) of each set of owners, from their ids: every user is
    read once per export, each set of owners named once (tasks share theirs)."""

    # Sets of owners remembered at a time: memory stays flat however many sets there are.
    REMEMBERED = 20_000

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.users = self._read()
        self.named: dict[str, tuple[str, str]] = {}

    def _read(self) -> dict[int, tuple[int, str, str | None]]:
        """Each user's place A to Z, name and department's name."""
        query = (
            select(User.id, User.name, Department.name)
            .outerjoin(Department, Department.id == User.department_id)
            .order_by(User.name, User.id)
        )
        return {
            id_: (rank, name, department)
            for rank, (id_, name, department) in enumerate(self.connection.execute(query))
        }

    def of(self, ids: str) -> tuple[str, str]:
        """The owners' names and their departments, of "12,5" (the owners' ids)."""
        named = self.named.get(ids)
        if named is None:
            if len(self.named) >= self.REMEMBERED:
                self.named.clear()
            user_ids = [int(id_) for id_ in ids.split(",")]
            if not self.users.keys() >= set(user_ids):
                self.users = self._read()  # someone made an owner since the export began
            owners = sorted(self.users[id_] for id_ in user_ids if id_ in self.users)
            names = ", ".join(name for _rank, name, _department in owners)
            departments = {department for _rank, _name, department in owners if department}
            named = self.named[ids] = (names, ", ".join(sorted(departments)))
        return named


def _last_escalation(postgresql: bool) -> ScalarSelect[date]:
    """The day (UTC, as the list shows it) of the task's latest escalation."""
    latest = func.max(Notification.created_at)
    day = cast(func.timezone("UTC", latest), Date) if postgresql else func.date(latest, type_=Date)
    return (
        select(day)
        .where(Notification.task_id == Task.id, Notification.kind == Kind.ESCALATION)
        .scalar_subquery()
    )


def _chunk_select(postgresql: bool) -> Select[*ChunkColumns]:
    """What the export writes of the tasks whose ids are bound to "ids", in their order."""
    ids = _ids_table(postgresql)
    report = func.coalesce(func.nullif(Report.destination, ""), Report.source_filename, "")
    asked = exists().where(ExtensionRequest.task_id == Task.id)
    return (
        select(
            Task.id,
            Task.title,
            report,
            _owner_ids(postgresql),
            func.coalesce(Department.name, ""),  # the task's own (for a task without owners)
            type_coerce(Task.status, String),  # the enum's value: mapped per row, cheaper
            Task.deadline,
            func.coalesce(Task.deadline_text, ""),
            # Without UTCDateTime's processing a row: SQLite's times come naive (in UTC).
            type_coerce(Task.completed_at, DateTime(timezone=True)),
            func.coalesce(Task.completion_note, ""),
            Task.evidence_url,
            Task.evidence_file,
            func.coalesce(Task.expected_result, ""),
            func.coalesce(Task.cancel_reason, ""),
            asked,
            _last_escalation(postgresql),
        )
        .select_from(ids)
        .join(Task, Task.id == ids.c.value)
        .outerjoin(Report, Report.id == Task.report_id)
        .outerjoin(Department, Department.id == Task.department_id)
    )


_ExtensionsSelect = Select[int, date | None, date, ExtensionStatus, str | None, str]


def _extensions_select(postgresql: bool) -> _ExtensionsSelect:
    ids = _ids_table(postgresql)
    return (
        select(
            ExtensionRequest.task_id,
            ExtensionRequest.current_deadline,
            ExtensionRequest.proposed_deadline,
            ExtensionRequest.status,
            ExtensionRequest.decision_note,
            ExtensionRequest.reason,
        )
        .join(ids, ids.c.value == ExtensionRequest.task_id)
        .order_by(ExtensionRequest.task_id, ExtensionRequest.requested_at, ExtensionRequest.id)
    )


def _extensions(
    connection: Connection, query: _ExtensionsSelect, task_ids: list[int], postgresql: bool
) -> dict[int, tuple[ExtensionEntry, ...]]:
    """Each task's requests for more time, oldest first (the extension requests' task_id
    index); no query when no task of the chunk has one."""
    if not task_ids:
        return {}
    found: dict[int, list[ExtensionEntry]] = {}
    rows = connection.execute(query, {"ids": _bound_ids(task_ids, postgresql)})
    for task_id, current, proposed, status, note, reason in rows:
        entry = ExtensionEntry(current, proposed, status, note or "", reason or "")
        found.setdefault(task_id, []).append(entry)
    return {task_id: tuple(entries) for task_id, entries in found.items()}


_ACTIVE = frozenset(ACTIVE_STATUSES)
_STATUSES = {status.value: status for status in TaskStatus}


def _rows(
    records: list[ChunkRecord],
    extensions: dict[int, tuple[ExtensionEntry, ...]],
    owners: _Owners,
    context: _Context,
) -> list[ExportValues]:
    # The export's hot loop (a row at a time): locals, no call for what most rows lack.
    today, zone, base_url, active = context.today, context.zone, context.base_url, _ACTIVE
    statuses = _STATUSES
    named = owners.of
    rows: list[ExportValues] = []
    append = rows.append
    for (
        id_,
        title,
        report,
        owner_ids,
        own_department,
        status_value,
        deadline,
        written,
        completed_at,
        done,
        url,
        file,
        wanted,
        why,
        asked,
        escalated,
    ) in records:
        # A task without owners: its own department.
        names, departments = named(owner_ids) if owner_ids else ("", own_department)
        status = statuses[status_value]
        append(
            (
                id_,
                title,
                report,
                names,
                departments,
                status,
                deadline,
                written,
                _local_day(completed_at, zone) if completed_at is not None else None,
                done,
                _evidence(id_, url, file, base_url) if url or file else "",
                wanted,
                why,
                extensions.get(id_, ()) if asked else (),
                (today - deadline).days
                if deadline is not None and deadline < today and status in active
                else 0,
                escalated,
            )
        )
    return rows


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    """The day a completion time (naive: in UTC) falls on in the organisation's time zone."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(zone).date()


def _evidence(task_id: int, url: str | None, file: str | None, base_url: str) -> str:
    """The address given as evidence and the link to the file (the task's download route,
    as the progress report links it), a line each."""
    links = [url] if url else []
    if file:
        links.append(f"{base_url}/tasks/{task_id}/evidence")
    return "\n".join(links)
