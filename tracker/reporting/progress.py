"""The progress report's values (#14): for a trip report, a department and those below it,
or everything the reader may see, optionally narrowed to the recommendations due in a
period. Read through the dashboard's scope (tracker.dashboard.services.scope_clauses), so
the report counts exactly what the reader's dashboard would.

Set-based: a bounded number of statements whatever the number of tasks (the figures in one
aggregate, the lines' tasks, owners, reports and requests for more time in chunks of ids,
the period's events in two), never one per task. Takes values, never the request; commits
nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.batches import chunks
from tracker.dashboard.services import Filters, require_dashboard, scope_clauses
from tracker.dashboard.trends import monthly_trend, snapshot_counts
from tracker.display import format_day
from tracker.extensions import db
from tracker.models import (
    ACTIVE_STATUSES,
    Department,
    EventKind,
    ExtensionRequest,
    ExtensionStatus,
    Report,
    ReportStatus,
    Task,
    TaskEvent,
    TaskStatus,
    User,
    overdue_clause,
)
from tracker.reporting.model import (
    Change,
    Changes,
    EvidenceLink,
    ExtensionLine,
    HeadlineFigures,
    ProgressReport,
    RecommendationLine,
    ReportScope,
    ReportSection,
)
from tracker.reporting.periods import Period

MOST_OVERDUE = 10
MAX_EVENTS = 100
DETAIL_LENGTH = 300

# The history's events a reader of the report is told about, as the report names them.
# A task made as a draft (from a report being imported) is "created" when confirmed.
CHANGE_KINDS: dict[EventKind, str] = {
    EventKind.CREATED: "created",
    EventKind.CONFIRMED: "created",
    EventKind.COMPLETED: "completed",
    EventKind.AWAITING_ACCEPTANCE: "reported_done",
    EventKind.ACCEPTED: "completed",
    EventKind.RETURNED: "returned",
    EventKind.CANCELLED: "cancelled",
    EventKind.REOPENED: "reopened",
    EventKind.DEADLINE_CHANGED: "deadline_moved",
    EventKind.EXTENSION_REQUESTED: "extension_requested",
    EventKind.EXTENSION_APPROVED: "extension_decided",
    EventKind.EXTENSION_REFUSED: "extension_decided",
    EventKind.OWNERS_CHANGED: "owners_changed",
}


def change_label(kind: str) -> str:
    """What a change of the period is, as the page, the PDF and the digest name it."""
    labels = {
        "created": _("Created"),
        "reported_done": _("Reported done"),
        "completed": _("Done"),
        "returned": _("Returned for more work"),
        "cancelled": _("Cancelled"),
        "reopened": _("Reopened"),
        "deadline_moved": _("Deadline moved"),
        "extension_requested": _("More time asked for"),
        "extension_decided": _("Request for more time decided"),
        "owners_changed": _("Owners changed"),
    }
    return labels.get(kind, kind)


def scope_filters(scope: ReportScope) -> Filters:
    """The dashboard's filters that select a report's tasks (every status)."""
    return Filters(
        status="all",
        report_id=scope.report_id,
        department_id=scope.department_id,
        deadline_from=scope.period.start if scope.due_in_period else None,
        deadline_to=scope.period.end if scope.due_in_period else None,
    )


# A PDF lists fewer recommendations than the page: fpdf2 lays out a few dozen table lines a
# second here (bench/progress_pdf.py: 2,000 lines took 22 s), and neither a request nor the
# daily planning run may take minutes. The figures still count every recommendation, and the
# PDF says how many it lists and how to narrow it.
PDF_MAX_LINES = 300


def build_progress(
    user: User,
    scope: ReportScope,
    *,
    today: date,
    timezone: str,
    language: str,
    base_url: str,
    now: datetime,
    max_lines: int = 2000,
    max_events: int = MAX_EVENTS,
) -> ProgressReport:
    """The progress report of `scope` as `user` may see it, in `language`. Raises
    PermissionDenied for a role without a dashboard."""
    require_dashboard(user)
    filters = scope_filters(scope)
    clauses = scope_clauses(user, filters, today)
    clock = _Clock(timezone, today, now)
    figures = headline_figures(clauses, clock)
    line_ids = _line_ids(clauses, max_lines)
    overdue_ids = _most_overdue_ids(clauses, today)
    links = _Links(base_url.rstrip("/"))
    lines = _lines(list(dict.fromkeys([*line_ids, *overdue_ids])), clock, links)
    with force_locale(language):
        sections = _sections([lines[task_id] for task_id in line_ids], lines)
        changes = _changes(user, filters, clauses, scope.period, clock, language, max_events)
        label = scope_label(scope, language)
    return ProgressReport(
        scope=scope,
        scope_label=label,
        as_of=today,
        generated_at=now,
        language=language,
        figures=figures,
        sections=sections,
        changes=changes,
        trend=monthly_trend(user, filters, today, timezone, months=12),
        lines_total=figures.recommendations,
        truncated=len(line_ids) < figures.recommendations,
        most_overdue=tuple(lines[task_id] for task_id in overdue_ids),
        generated_by=user.name,
    )


# --- Time: the organisation's days -----------------------------------------------------


class _Clock:
    """The organisation's time zone, today and now, and what the report reads through them."""

    def __init__(self, timezone: str, today: date, now: datetime) -> None:
        self.zone = ZoneInfo(timezone)
        self.name = timezone
        self.today = today
        self.now = now

    def day(self, moment: datetime | None) -> date | None:
        """The organisation's calendar day of a stored (UTC) moment."""
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        """The first moment of an organisation's day, in UTC."""
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def local_day_sql(self, column: Any) -> ColumnElement[Any]:
        """The organisation's day of a stored moment, in SQL. PostgreSQL converts each
        moment with the zone's rules; SQLite, which has no time zones, shifts by the zone's
        offset of today (exact for a zone without summer time, as Asia/Yerevan)."""
        if db.session.get_bind().dialect.name == "postgresql":
            return func.date(func.timezone(self.name, column))
        offset = self.zone.utcoffset(datetime.combine(self.today, time(12)))
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        return func.date(column, f"{minutes:+d} minutes")


# --- The headline figures ----------------------------------------------------------------


def _sum(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def done_late_clause(clock: _Clock) -> ColumnElement[bool]:
    """Done after the day of the deadline (the organisation's day of completion)."""
    return and_(
        Task.status == TaskStatus.DONE,
        Task.deadline.is_not(None),
        Task.completed_at.is_not(None),
        clock.local_day_sql(Task.completed_at) > Task.deadline,
    )


def headline_figures(clauses: Sequence[ColumnElement[bool]], clock: _Clock) -> HeadlineFigures:
    """Every figure of the scope as of today, in one aggregate grouped by status."""
    rows = db.session.execute(
        select(
            Task.status,
            func.count(),
            _sum(overdue_clause(clock.today)),
            _sum(done_late_clause(clock)),
        )
        .where(*clauses)
        .group_by(Task.status)
    ).all()
    counts: dict[TaskStatus, tuple[int, int, int]] = {
        status: (int(total), int(overdue), int(late)) for status, total, overdue, late in rows
    }
    done, _overdue, late = counts.get(TaskStatus.DONE, (0, 0, 0))
    return HeadlineFigures(
        recommendations=sum(total for total, _o, _l in counts.values()),
        done_on_time=done - late,
        done_late=late,
        open=sum(counts.get(status, (0, 0, 0))[0] for status in ACTIVE_STATUSES),
        overdue=sum(overdue for _t, overdue, _l in counts.values()),
        awaiting_acceptance=counts.get(TaskStatus.AWAITING_ACCEPTANCE, (0, 0, 0))[0],
        cancelled=counts.get(TaskStatus.CANCELLED, (0, 0, 0))[0],
    )


# --- The lines -------------------------------------------------------------------------


def _line_ids(clauses: Sequence[ColumnElement[bool]], limit: int) -> list[int]:
    """The scope's task ids in the report's order: the trip reports by the start of the
    trip (then as they came), each report's recommendations as it lists them, the tasks
    made by hand last (by deadline); at most `limit`."""
    query = (
        select(Task.id)
        .outerjoin(Report, Report.id == Task.report_id)
        .where(*clauses)
        .order_by(
            Task.report_id.is_(None),
            Report.trip_start.is_(None),
            Report.trip_start,
            Report.created_at,
            Task.report_id,
            Task.position,
            Task.deadline.is_(None),
            Task.deadline,
            Task.id,
        )
        .limit(max(limit, 0))
    )
    return list(db.session.scalars(query))


def _most_overdue_ids(clauses: Sequence[ColumnElement[bool]], today: date) -> list[int]:
    """The ten most overdue tasks of the scope (the oldest deadline first)."""
    query = (
        select(Task.id)
        .where(*clauses, overdue_clause(today))
        .order_by(Task.deadline, Task.id)
        .limit(MOST_OVERDUE)
    )
    return list(db.session.scalars(query))


class _Links:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def task(self, task_id: int) -> str:
        return f"{self.base_url}/tasks/{task_id}"

    def evidence(self, task: Task) -> tuple[EvidenceLink, ...]:
        """The address given as evidence, and the file (its download route on the task)."""
        found = []
        if task.evidence_url:
            found.append(EvidenceLink(task.evidence_url, task.evidence_url))
        if task.evidence_file:
            label = task.evidence_filename or task.evidence_file
            found.append(EvidenceLink(label, f"{self.task(task.id)}/evidence"))
        return tuple(found)


class _Lines(dict[int, RecommendationLine]):
    """The lines by task id, with the trip reports they come from."""

    def __init__(self) -> None:
        super().__init__()
        self.reports: dict[int, Report] = {}
        self.report_of: dict[int, int | None] = {}


def _load_tasks(task_ids: Sequence[int]) -> list[Task]:
    tasks: list[Task] = []
    for chunk in chunks(task_ids):
        query = (
            select(Task)
            .where(Task.id.in_(chunk))
            .options(selectinload(Task.owners), selectinload(Task.report))
        )
        tasks.extend(db.session.scalars(query))
    return tasks


def _requests_for_more_time(task_ids: Sequence[int]) -> dict[int, list[ExtensionRequest]]:
    found: dict[int, list[ExtensionRequest]] = defaultdict(list)
    for chunk in chunks(task_ids):
        query = (
            select(ExtensionRequest)
            .where(ExtensionRequest.task_id.in_(chunk))
            .options(
                selectinload(ExtensionRequest.requested_by),
                selectinload(ExtensionRequest.decided_by),
            )
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        )
        for request in db.session.scalars(query):
            found[request.task_id].append(request)
    return found


def _lines(task_ids: Sequence[int], clock: _Clock, links: _Links) -> _Lines:
    lines = _Lines()
    requests = _requests_for_more_time(task_ids)
    for task in _load_tasks(task_ids):
        extensions = tuple(_extension_line(request, clock) for request in requests[task.id])
        lines[task.id] = _line(task, extensions, clock, links)
        lines.report_of[task.id] = task.report_id
        if task.report is not None:
            lines.reports[task.report.id] = task.report
    return lines


def _extension_line(request: ExtensionRequest, clock: _Clock) -> ExtensionLine:
    decided = request.status in (ExtensionStatus.APPROVED, ExtensionStatus.REFUSED)
    return ExtensionLine(
        requested_on=clock.day(request.requested_at) or clock.today,
        requested_by=request.requested_by.name if request.requested_by else None,
        current_deadline=request.current_deadline,
        proposed_deadline=request.proposed_deadline,
        reason=request.reason,
        status=request.status,
        decided_on=clock.day(request.decided_at),
        decided_by=request.decided_by.name if decided and request.decided_by else None,
        decision_note=request.decision_note,
    )


def _line(
    task: Task, extensions: tuple[ExtensionLine, ...], clock: _Clock, links: _Links
) -> RecommendationLine:
    completed_on = clock.day(task.completed_at) if task.status is TaskStatus.DONE else None
    late = bool(task.deadline and completed_on and completed_on > task.deadline)
    return RecommendationLine(
        task_id=task.id,
        url=links.task(task.id),
        title=task.title,
        owners=tuple(owner.name for owner in task.owners),
        deadline=task.deadline,
        deadline_text=task.deadline_text,
        status=task.status,
        completed_on=completed_on,
        completion_note=task.completion_note,
        expected_result=task.expected_result,
        cancel_reason=task.cancel_reason if task.status is TaskStatus.CANCELLED else None,
        days_overdue=task.days_overdue(clock.today),
        done_late=late,
        evidence=links.evidence(task),
        extensions=extensions,
    )


def _sections(lines: Sequence[RecommendationLine], loaded: _Lines) -> tuple[ReportSection, ...]:
    """The lines (already in the report's order) gathered by trip report, the tasks made
    by hand in a last section."""
    grouped: dict[int | None, list[RecommendationLine]] = {}
    for line in lines:
        grouped.setdefault(loaded.report_of[line.task_id], []).append(line)
    sections = [
        _section(loaded.reports[key], found) for key, found in grouped.items() if key is not None
    ]
    if None in grouped:
        sections.append(
            ReportSection(
                report_id=None,
                title=_("Tasks not from a trip report"),
                destination=None,
                trip_start=None,
                trip_end=None,
                lines=tuple(grouped[None]),
            )
        )
    return tuple(sections)


def report_name(report: Report) -> str:
    """A trip report as the tracker names it (the dashboard, the report's page): where the
    trip went; the document's own title is often the form's ("Report on the trip")."""
    return report.destination or report.title or report.source_filename


def _section(report: Report, lines: list[RecommendationLine]) -> ReportSection:
    return ReportSection(
        report_id=report.id,
        title=report_name(report),
        destination=report.destination,
        trip_start=report.trip_start,
        trip_end=report.trip_end,
        lines=tuple(lines),
    )


# --- What changed ------------------------------------------------------------------------


def _event_query(
    clauses: Sequence[ColumnElement[bool]], period: Period, clock: _Clock
) -> list[ColumnElement[bool]]:
    return [
        *clauses,
        TaskEvent.kind.in_(list(CHANGE_KINDS)),
        TaskEvent.created_at >= clock.start_of(period.start),
        TaskEvent.created_at < clock.start_of(period.end + timedelta(days=1)),
        # A draft made while a report is imported is created when it is confirmed.
        or_(
            TaskEvent.kind != EventKind.CREATED,
            TaskEvent.new_value.is_(None),
            TaskEvent.new_value != TaskStatus.DRAFT.value,
        ),
    ]


def _changes(
    user: User,
    filters: Filters,
    clauses: Sequence[ColumnElement[bool]],
    period: Period,
    clock: _Clock,
    language: str,
    max_events: int,
) -> Changes:
    """The previous period's figures as they stood at its end, and the period's events."""
    conditions = _event_query(clauses, period, clock)
    joined = select(func.count()).select_from(TaskEvent).join(Task, Task.id == TaskEvent.task_id)
    total = int(db.session.scalar(joined.where(*conditions)) or 0)
    rows = db.session.execute(
        select(TaskEvent, Task.title)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(*conditions)
        .order_by(TaskEvent.created_at.desc(), TaskEvent.id.desc())
        .limit(max(max_events, 0))
    ).all()
    previous = period.previous()
    return Changes(
        previous_period=previous,
        previous=_previous_figures(user, filters, previous.end, clock),
        events=tuple(_change(event, title, clock, language) for event, title in rows),
        events_total=total,
    )


def _previous_figures(user: User, filters: Filters, day: date, clock: _Clock) -> HeadlineFigures:
    """The figures as they stood at the end of `day`, from the task history."""
    counted = snapshot_counts(user, filters, day, clock.name)
    return HeadlineFigures(
        recommendations=counted.recommendations,
        done_on_time=counted.done_on_time,
        done_late=counted.done_late,
        open=counted.open,
        overdue=counted.overdue,
        awaiting_acceptance=counted.awaiting_acceptance,
        cancelled=counted.cancelled,
    )


def _change(event: TaskEvent, title: str, clock: _Clock, language: str) -> Change:
    return Change(
        kind=CHANGE_KINDS[event.kind],
        on=clock.day(event.created_at) or clock.today,
        task_id=event.task_id,
        title=title,
        detail=_clip(change_detail(event, language)),
    )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1].rstrip() + "…"


def _stored_day(value: str | None, language: str) -> str:
    """A deadline as the history stores it ("2026-11-30 (by the end of November)"), worded."""
    if not value:
        return "—"
    head, _space, rest = value.partition(" ")
    try:
        day = format_day(date.fromisoformat(head), language)
    except ValueError:
        return value
    return f"{day} {rest}".strip()


def change_detail(event: TaskEvent, language: str) -> str:
    """What the event says, in the current locale: a move from one value to another, a
    decision, a reason."""
    kind = event.kind
    note = event.note or ""
    if kind in (EventKind.DEADLINE_CHANGED, EventKind.EXTENSION_REQUESTED):
        moved = (
            f"{_stored_day(event.old_value, language)} → {_stored_day(event.new_value, language)}"
        )
        return f"{moved}: {note}" if note else moved
    if kind is EventKind.EXTENSION_APPROVED:
        return _("Approved: %(deadline)s", deadline=_stored_day(event.new_value, language))
    if kind is EventKind.EXTENSION_REFUSED:
        return _("Refused: %(reason)s", reason=note)
    if kind is EventKind.OWNERS_CHANGED:
        return f"{event.old_value or '—'} → {event.new_value or '—'}"
    return note


# --- Words -------------------------------------------------------------------------------


def report_choices(user: User, today: date) -> list[Report]:
    """The confirmed trip reports the user may have a progress report of: those holding a
    task of their dashboard's scope (as a trip report's page shows only those), the latest
    trip first."""
    holds_one = exists().where(
        Task.report_id == Report.id, *scope_clauses(user, Filters(status="all"), today)
    )
    query = (
        select(Report)
        .where(Report.status == ReportStatus.CONFIRMED, holds_one)
        .order_by(
            Report.trip_start.is_(None),
            Report.trip_start.desc(),
            Report.created_at.desc(),
            Report.id.desc(),
        )
    )
    return list(db.session.scalars(query))


def period_label(period: Period, language: str) -> str:
    """ "June 2026", "2nd quarter 2026", "2026" in the language."""
    skeleton = {"month": "yMMMM", "quarter": "yQQQQ", "year": "y"}[period.kind]
    return format_skeleton(skeleton, period.start, locale=language)


def scope_label(scope: ReportScope, language: str) -> str:
    """What the report covers, in the current locale."""
    parts = []
    if scope.report_id is not None:
        report = db.session.get(Report, scope.report_id)
        name = report_name(report) if report else "—"
        parts.append(_("Trip report: %(name)s", name=name))
    if scope.department_id is not None:
        department = db.session.get(Department, scope.department_id)
        name = department.name if department else "—"
        parts.append(_("%(department)s and the departments below it", department=name))
    if not parts:
        parts.append(_("All departments"))
    if scope.due_in_period:
        parts.append(_("due in %(period)s", period=period_label(scope.period, language)))
    return ", ".join(parts)
