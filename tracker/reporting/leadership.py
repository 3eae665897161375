"""The leadership digest (#14): once per period, an email to each department head and each
admin, in their language, with the figures of what they oversee, the changes since the
previous period, the ten most overdue recommendations and the progress report as a PDF.

Who gets one:
- every active admin, about everything (the admin's dashboard sees every department);
- every active head of a department, about that department and those below it, read with
  the head's own permissions, as the dashboard scopes a manager. A head whose role has no
  dashboard (an officer: the admin pages warn against it) gets none: the report's figures
  and links would show them what the application itself does not, and the links would
  answer 403. The run names them, so an admin can fix the role. A person heading several
  departments gets one digest, about the topmost of them (a second tree apart is named in
  the run's output too); an admin who is also a head gets the admin's.
- A head of a department without tasks still gets the digest, with zeros: "nothing is
  tracked for your departments" is news to a head, and a missing email would read as a
  fault.

When: the period is a month (TRACKER_LEADERSHIP_DIGEST=month, the default) or a quarter,
reported on once it has ended, from the day TRACKER_LEADERSHIP_DIGEST_DAY of the month
that follows it (of the quarter's first month). Any run on or after that day plans what
is still owed for the last finished period only: a scheduler down over the 1st catches up
on its next run, and a period older than that is never sent (its figures are history by
then, the next digest says more), so turning the feature on mails the last period once.

Once: a `leadership_digests` row per (recipient, period) is the dedupe key. It is inserted
first, with ON CONFLICT DO NOTHING, in the transaction that then writes the outbox row and
its PDF: two planners racing (two schedulers on PostgreSQL, a rerun beside the scheduler)
write one, the other waits on the first's uncommitted key and then skips it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from babel.numbers import format_percent
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.dashboard.services import DASHBOARD_ROLES
from tracker.extensions import db
from tracker.models import (
    Department,
    LeadershipDigest,
    OutboxAttachment,
    OutboxMessage,
    Role,
    User,
    utcnow,
)
from tracker.outbox_mail import base_url, message_domain
from tracker.reporting.model import HeadlineFigures, ProgressReport, ReportScope
from tracker.reporting.periods import Period, PeriodKind

log = logging.getLogger(__name__)

DigestKind = PeriodKind  # "month" or "quarter" (a yearly digest is not offered)
SETTING_VALUES = ("month", "quarter", "off")
LATEST_DAY = 28  # every month has it


# --- When (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSchedule:
    """TRACKER_LEADERSHIP_DIGEST and TRACKER_LEADERSHIP_DIGEST_DAY, checked."""

    kind: DigestKind | None  # None: off
    day: int = 1

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DigestSchedule:
        value = str(config.get("TRACKER_LEADERSHIP_DIGEST", "month")).strip().lower()
        if value not in SETTING_VALUES:
            raise ValueError(
                f"TRACKER_LEADERSHIP_DIGEST={value!r} is not one of {', '.join(SETTING_VALUES)}"
            )
        raw_day = config.get("TRACKER_LEADERSHIP_DIGEST_DAY", 1)
        try:
            day = int(raw_day)
        except (TypeError, ValueError):
            day = 0
        if not 1 <= day <= LATEST_DAY:
            raise ValueError(
                f"TRACKER_LEADERSHIP_DIGEST_DAY={raw_day!r} is not a day from 1 to {LATEST_DAY}"
            )
        kind = None if value == "off" else cast("DigestKind", value)
        return cls(kind, day)

    def send_day(self, period: Period) -> date:
        """The first day the digest of `period` goes out."""
        return period.following().start.replace(day=self.day)

    def period_due(self, today: date) -> Period | None:
        """The period whose digests are owed on `today`: the last one finished, once its send
        day has come; None before it, and when the digest is off."""
        if self.kind is None:
            return None
        finished = Period.containing(self.kind, today).previous()
        return finished if today >= self.send_day(finished) else None


# --- Who -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestRecipient:
    user: User
    department: Department | None  # None: everything (an admin)


@dataclass(frozen=True)
class Recipients:
    digests: list[DigestRecipient]
    skipped: list[tuple[User, str]] = field(default_factory=list)  # (head, why), for the log


def topmost(departments: Iterable[Department]) -> list[Department]:
    """The departments not below another of them, by name."""
    chosen = list(departments)
    ids = {department.id for department in chosen}

    def below_another(department: Department) -> bool:
        parent = department.parent
        seen: set[int] = set()
        while parent is not None and parent.id not in seen:
            if parent.id in ids:
                return True
            seen.add(parent.id)
            parent = parent.parent
        return False

    return sorted((d for d in chosen if not below_another(d)), key=lambda d: d.name)


def digest_recipients() -> Recipients:
    """Every active admin (about everything) and every active head with a dashboard (about
    the topmost department they head), ordered by id."""
    admins = db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.ADMIN).order_by(User.id)
    ).all()
    digests = [DigestRecipient(admin, None) for admin in admins]
    headed: dict[int, list[Department]] = {}
    for department in db.session.scalars(
        select(Department).where(Department.head_id.is_not(None)).order_by(Department.name)
    ):
        assert department.head_id is not None
        headed.setdefault(department.head_id, []).append(department)
    skipped: list[tuple[User, str]] = []
    heads = db.session.scalars(
        select(User)
        .where(User.id.in_(headed), User.active.is_(True), User.role != Role.ADMIN)
        .order_by(User.id)
    ).all()
    for head in heads:
        if head.role not in DASHBOARD_ROLES:
            skipped.append((head, f"heads a department but is {head.role.value}: no dashboard"))
            continue
        first, *others = topmost(headed[head.id])
        digests.append(DigestRecipient(head, first))
        for other in others:
            skipped.append((head, f"also heads {other.name}: the digest covers {first.name}"))
    return Recipients(sorted(digests, key=lambda r: r.user.id), skipped)


def digested_ids(period: Period) -> set[int]:
    """The people whose digest of the period is already written."""
    query = select(LeadershipDigest.recipient_id).where(LeadershipDigest.period == period.key)
    return set(db.session.scalars(query))


def claim_digest(recipient_id: int, period: Period) -> int | None:
    """Insert the dedupe row of (recipient, period); its id, or None when the digest was
    already written (or is being written by another planner, which this waits for)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(LeadershipDigest)
        .values(recipient_id=recipient_id, period=period.key, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["recipient_id", "period"])
        .returning(LeadershipDigest.id)
    )
    result = cast("CursorResult[Any]", db.session.execute(statement))
    return cast("int | None", result.scalar_one_or_none())


# --- What ----------------------------------------------------------------------------------

MOST_OVERDUE = 10


@dataclass(frozen=True)
class FigureLine:
    label: str
    now: str
    before: str
    delta: str  # "+3", "−2", "" when unchanged


def _percent(rate: float | None, language: str) -> str:
    return "—" if rate is None else format_percent(rate, locale=language)


def _delta(now: int, before: int) -> str:
    difference = now - before
    if difference == 0:
        return ""
    return f"+{difference}" if difference > 0 else f"−{-difference}"


def figure_lines(now: HeadlineFigures, before: HeadlineFigures, language: str) -> list[FigureLine]:
    """The headline figures beside the previous period's, in the current locale."""
    counts = [
        (_("Recommendations"), now.recommendations, before.recommendations),
        (_("Done on time"), now.done_on_time, before.done_on_time),
        (_("Done late"), now.done_late, before.done_late),
        (_("Open"), now.open, before.open),
        (_("Overdue"), now.overdue, before.overdue),
        (_("Awaiting acceptance"), now.awaiting_acceptance, before.awaiting_acceptance),
        (_("Cancelled"), now.cancelled, before.cancelled),
    ]
    lines = [FigureLine(label, str(a), str(b), _delta(a, b)) for label, a, b in counts]
    rate_now = now.implementation_rate
    rate_before = before.implementation_rate
    points = (
        ""
        if rate_now is None or rate_before is None
        else _delta(round(rate_now * 100), round(rate_before * 100))
    )
    lines.append(
        FigureLine(
            _("Implementation rate"),
            _percent(rate_now, language),
            _percent(rate_before, language),
            _("%(points)s pp", points=points) if points else "",  # percentage points
        )
    )
    return lines


def attachment_name(period: Period) -> str:
    """ASCII, so every mail client shows it as is."""
    return f"progress-report-{period.key}.pdf"


def message_id(user_id: int, period: Period, domain: str) -> str:
    """The same digest always gets the same Message-ID (the outbox keeps it unique too)."""
    return f"<leadership.{period.key}.{user_id}@{domain}>"


def _subject(report: ProgressReport, period_name: str, rate: str) -> str:
    """With the rate when there is one (nothing to count: no "— implemented")."""
    if report.figures.implementation_rate is None:
        return _(
            "Follow-up Tracker, %(period)s: %(overdue)d overdue",
            period=period_name,
            overdue=report.figures.overdue,
        )
    return _(
        "Follow-up Tracker, %(period)s: %(rate)s implemented, %(overdue)d overdue",
        period=period_name,
        rate=rate,
        overdue=report.figures.overdue,
    )


def write_digest(
    user: User,
    report: ProgressReport,
    pdf: bytes,
    *,
    period: Period,
    site: str,
    domain: str,
) -> OutboxMessage:
    """The digest's outbox row with its PDF, in the user's language (not added)."""
    from tracker.reporting.progress import period_label

    language = user.language
    with force_locale(language):
        period_name = period_label(period, language)
        previous_name = period_label(report.changes.previous_period, language)
        context = {
            "recipient": user,
            "report": report,
            "period_name": period_name,
            "previous_name": previous_name,
            "figures": figure_lines(report.figures, report.changes.previous, language),
            "most_overdue": report.most_overdue[:MOST_OVERDUE],
            "events_total": report.changes.events_total,
            "rate": _percent(report.figures.implementation_rate, language),
            "attachment": attachment_name(period),
            "base_url": site,
            "dashboard_url": f"{site}/dashboard",
        }
        subject = _subject(report, period_name, str(context["rate"]))
        body_text = render_template("email/leadership_digest.txt", **context)
        body_html = render_template("email/leadership_digest.html", **context)
    message = OutboxMessage(
        recipient_id=user.id,
        to_address=user.email,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=message_id(user.id, period, domain),
    )
    message.attachments.append(
        OutboxAttachment(filename=attachment_name(period), content_type="application/pdf", data=pdf)
    )
    return message


# --- The run (a unit of work, as tracker.notifications.jobs: it commits) ----------------------

ReportBuilder = Callable[[User, ReportScope, date, datetime], ProgressReport]
PdfRenderer = Callable[[ProgressReport], bytes]


@dataclass
class DigestRun:
    as_of: date
    period: Period | None  # None: nothing is due (off, or before the send day)
    dry_run: bool = False
    written: list[tuple[User, OutboxMessage | None]] = field(default_factory=list)
    already: int = 0  # digests of the period written before this run
    skipped: list[tuple[User, str]] = field(default_factory=list)
    errors: list[tuple[User, str]] = field(default_factory=list)


def _default_builder(user: User, scope: ReportScope, today: date, now: datetime) -> ProgressReport:
    from tracker.reporting.progress import PDF_MAX_LINES, build_progress

    return build_progress(
        user,
        scope,
        today=today,
        timezone=current_app.config["TRACKER_TIMEZONE"],
        language=user.language,
        base_url=base_url(),
        now=now,
        max_lines=PDF_MAX_LINES,
    )


def _default_renderer(report: ProgressReport) -> bytes:
    from tracker.reporting.pdf import render_pdf  # fpdf: loaded only when a PDF is made

    return render_pdf(report)


def plan_leadership_digests(
    as_of: date, *, dry_run: bool = False, period: Period | None = None
) -> DigestRun:
    """Write the digests still owed as of `as_of` (or of `period`), each with its dedupe row
    in a transaction of its own, committed: one head's failure (logged, and retried by the
    next run) does not hold back the others. A dry run writes nothing."""
    schedule = DigestSchedule.from_config(current_app.config)
    period = period or schedule.period_due(as_of)
    run = DigestRun(as_of, period, dry_run)
    if period is None:
        return run
    owed = _owed(run, period)
    if dry_run:
        run.written = [(recipient.user, None) for recipient in owed]
        return run
    for recipient in owed:
        _plan_one(run, recipient, period, _default_builder, _default_renderer)
    return run


def _owed(run: DigestRun, period: Period) -> list[DigestRecipient]:
    """The recipients without a digest of the period yet; the others counted in `run`."""
    recipients = digest_recipients()
    run.skipped = recipients.skipped
    done = digested_ids(period)
    run.already = sum(1 for recipient in recipients.digests if recipient.user.id in done)
    return [recipient for recipient in recipients.digests if recipient.user.id not in done]


def _plan_one(
    run: DigestRun,
    recipient: DigestRecipient,
    period: Period,
    build: ReportBuilder,
    render: PdfRenderer,
) -> None:
    user = recipient.user
    try:
        digest_id = claim_digest(user.id, period)
        if digest_id is None:  # another planner wrote it meanwhile
            db.session.rollback()
            run.already += 1
            return
        department_id = recipient.department.id if recipient.department else None
        scope = ReportScope(period=period, department_id=department_id)
        now = utcnow()
        with force_locale(user.language):
            report = build(user, scope, run.as_of, now)
            pdf = render(report)
        message = write_digest(
            user, report, pdf, period=period, site=base_url(), domain=message_domain()
        )
        db.session.add(message)
        db.session.flush()
        db.session.execute(
            update(LeadershipDigest)
            .where(LeadershipDigest.id == digest_id)
            .values(outbox_id=message.id)
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("the leadership digest of %s for %s failed", user.email, period.key)
        run.errors.append((user, f"{type(error).__name__}: {error}"))
        return
    run.written.append((user, message))


def plan_if_due(day: date) -> DigestRun:
    """The scheduler's daily planner (registered by tracker.reporting.init_app)."""
    run = plan_leadership_digests(day)
    if run.period is not None and (run.written or run.errors):
        log.info(
            "leadership digests for %s: %d written, %d failed",
            run.period.key,
            len(run.written),
            len(run.errors),
        )
    return run


def next_send_day(schedule: DigestSchedule, today: date) -> date | None:
    """When the next digest goes out (for the CLI's output); None when off."""
    if schedule.kind is None:
        return None
    period = Period.containing(schedule.kind, today)
    send = schedule.send_day(period.previous())
    return send if send > today else schedule.send_day(period)
