"""What a progress report holds (#14), built by tracker.reporting.progress and drawn by the
HTML template (templates/reporting/progress.html), the PDF (tracker.reporting.pdf) and the
leadership digest. Plain values: no session, no Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.dashboard.trends import Trend
from tracker.models import ExtensionStatus, TaskStatus
from tracker.reporting.periods import Period


@dataclass(frozen=True)
class ReportScope:
    """What a progress report covers: one trip report, one department with the departments
    below it, or everything the reader may see; `due_in_period` narrows it to the
    recommendations whose deadline falls in the period (a report "for a period")."""

    period: Period
    report_id: int | None = None
    department_id: int | None = None
    due_in_period: bool = False


@dataclass(frozen=True)
class HeadlineFigures:
    recommendations: int = 0  # every task of the scope but drafts
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0  # open or in progress, the overdue ones included
    overdue: int = 0
    awaiting_acceptance: int = 0
    cancelled: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def implementation_rate(self) -> float | None:
        """Done (on time or late) of the recommendations not cancelled; None without any."""
        counted = self.recommendations - self.cancelled
        return self.done / counted if counted else None


@dataclass(frozen=True)
class ExtensionLine:
    requested_on: date
    requested_by: str | None
    current_deadline: date | None
    proposed_deadline: date
    reason: str
    status: ExtensionStatus
    decided_on: date | None = None
    decided_by: str | None = None
    decision_note: str | None = None


@dataclass(frozen=True)
class EvidenceLink:
    label: str  # the file's name or the address
    url: str  # absolute: the report is read away from the site


@dataclass(frozen=True)
class RecommendationLine:
    task_id: int
    url: str  # absolute link to the task
    title: str
    owners: tuple[str, ...]
    deadline: date | None
    deadline_text: str | None  # as written in the report
    status: TaskStatus
    completed_on: date | None
    completion_note: str | None  # what was done
    expected_result: str | None
    cancel_reason: str | None
    days_overdue: int
    done_late: bool
    evidence: tuple[EvidenceLink, ...] = ()
    extensions: tuple[ExtensionLine, ...] = ()


@dataclass(frozen=True)
class ReportSection:
    """One trip report's recommendations; report_id None gathers the tasks made by hand."""

    report_id: int | None
    title: str
    destination: str | None
    trip_start: date | None
    trip_end: date | None
    lines: tuple[RecommendationLine, ...]


@dataclass(frozen=True)
class Change:
    """Something that happened to a recommendation during the period."""

    # "created", "reported_done", "completed", "returned", "cancelled", "reopened",
    # "deadline_moved", "extension_requested", "extension_decided", "owners_changed"
    kind: str
    on: date
    task_id: int
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Changes:
    """What changed since the previous period: its figures as they stood at its end (from
    the task history) beside today's, and the events of the period, the latest first."""

    previous_period: Period
    previous: HeadlineFigures
    events: tuple[Change, ...]
    events_total: int  # events may be capped; this is how many there were


@dataclass(frozen=True)
class ProgressReport:
    scope: ReportScope
    scope_label: str  # "Department of X and below", "Trip report: Y", "All departments"
    as_of: date
    generated_at: datetime
    language: str
    figures: HeadlineFigures
    sections: tuple[ReportSection, ...]
    changes: Changes
    trend: Trend
    lines_total: int = 0  # every recommendation in scope; sections may hold fewer (capped)
    truncated: bool = False
    most_overdue: tuple[RecommendationLine, ...] = field(default=())  # ten, the latest first
    generated_by: str | None = None  # the reader it was made for (their name), for the cover
