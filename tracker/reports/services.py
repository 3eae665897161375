"""Importing trip reports: a parsed report becomes a stored report with draft tasks, which a
person reviews and confirms. Services never commit: the caller owns the transaction, so a
failed import writes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    EventKind,
    Report,
    ReportStatus,
    Role,
    ScanImport,
    Task,
    TaskStatus,
    User,
    clipped,
    utcnow,
)
from tracker.permissions import PermissionDenied
from tracker.reports.owners import Person, match_names
from tracker.reports.parsing import ParsedReport, ParseWarning
from tracker.tasks import events
from tracker.tasks.permissions import visible_tasks
from tracker.tasks.services import create_task, record_event

REGISTRY_ROLES = (Role.STAFF, Role.ADMIN)


class ReportImportError(ValueError):
    """An import that cannot go ahead; the message is shown to the user as is."""


class DuplicateReport(ReportImportError):
    def __init__(self, existing: Report) -> None:
        self.existing = existing
        super().__init__(
            _l(
                "This file was already imported on %(date)s as report %(id)d (“%(name)s”).",
                date=existing.created_at.date().isoformat(),
                id=existing.id,
                name=existing.source_filename,
            )
        )


@dataclass
class ImportResult:
    report: Report
    tasks: list[Task]
    unmatched_names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewedRecommendation:
    """One row of the review page, as the person left it."""

    task: Task
    include: bool
    title: str
    owners: Sequence[User]
    deadline: date | None
    deadline_text: str | None
    expected_result: str | None
    method: str | None


def require_registry(user: User) -> None:
    """Uploading, reviewing and confirming reports is the registry's work (staff, admins)."""
    if user.role not in REGISTRY_ROLES:
        raise PermissionDenied


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def find_by_hash(digest: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.content_hash == digest))


def _people() -> tuple[list[Person], dict[int, User]]:
    users = db.session.scalars(select(User).where(User.active.is_(True))).all()
    return [Person(user.id, user.name) for user in users], {user.id: user for user in users}


def import_report(
    parsed: ParsedReport,
    content: bytes,
    *,
    uploaded_by: User | None,
    confirm: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Store the report and one draft task per recommendation, owners matched by name.

    With `confirm`, the tasks are opened at once, as after a review (scripted imports).
    """
    if uploaded_by is not None:
        require_registry(uploaded_by)
    digest = _unseen_content_hash(content)
    now = now or utcnow()
    report = _new_report(parsed, digest, uploaded_by, now)
    db.session.add(report)
    result = ImportResult(report=report, tasks=[])
    _add_draft_tasks(result, parsed, uploaded_by, now)
    db.session.flush()
    if confirm:
        confirm_report(report, uploaded_by, now=now)
    return result


def _unseen_content_hash(content: bytes) -> str:
    """The hash of the file's content; DuplicateReport when it was imported before."""
    digest = content_hash(content)
    existing = find_by_hash(digest)
    if existing is not None:
        raise DuplicateReport(existing)
    return digest


def _new_report(
    parsed: ParsedReport, digest: str, uploaded_by: User | None, now: datetime
) -> Report:
    source = PurePath(parsed.source)
    return Report(
        source_filename=source.name[:255],
        content_hash=digest,
        file_type=source.suffix.lstrip(".").lower()[:10],
        language=parsed.language,
        status=ReportStatus.DRAFT,
        title=parsed.title,
        author_name=clipped(parsed.author_name, Report.author_name),
        author_position=parsed.author_position,
        destination=parsed.destination,
        trip_start=parsed.trip_start,
        trip_end=parsed.trip_end,
        inviting_party=parsed.inviting_party,
        purpose=parsed.purpose,
        signatory=clipped(parsed.signatory, Report.signatory),
        signed_on=parsed.signed_on,
        sections=dict(parsed.sections),
        # Each warning's code and params (the English line for one without), so the pages
        # word it in the reader's language.
        warnings=[
            warning.to_json() if isinstance(warning, ParseWarning) else warning
            for warning in parsed.warnings
        ],
        text=parsed.text,
        ocr=parsed.ocr.to_json() if parsed.ocr is not None else None,
        uploaded_by=uploaded_by,
        created_at=now,
    )


def _add_draft_tasks(
    result: ImportResult, parsed: ParsedReport, uploaded_by: User | None, now: datetime
) -> None:
    """One draft task per recommendation, in order; names no user matched are collected."""
    people, users_by_id = _people()
    for position, recommendation in enumerate(parsed.recommendations):
        matched, unmatched = match_names(recommendation.owners, people)
        task = create_task(
            recommendation.title,
            [users_by_id[person.id] for person in matched],
            actor=uploaded_by,
            description=recommendation.text,
            deadline=recommendation.deadline,
            deadline_text=recommendation.deadline_text,
            expected_result=recommendation.expected_result,
            method=recommendation.method,
            status=TaskStatus.DRAFT,
            now=now,
        )
        task.report = result.report
        task.position = position
        task.owner_names = list(recommendation.owners)
        result.tasks.append(task)
        result.unmatched_names.extend(
            name for name in unmatched if name not in result.unmatched_names
        )


def _label(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def apply_review(
    report: Report,
    actor: User,
    rows: Sequence[ReviewedRecommendation],
    *,
    confirm: bool = False,
    now: datetime | None = None,
) -> None:
    """Save the reviewer's corrections to the draft tasks (rows left out are discarded), and
    with `confirm` open them, all in the caller's one transaction."""
    require_registry(actor)
    if report.status is not ReportStatus.DRAFT:
        raise ReportImportError(_l("This report is already confirmed."))
    now = now or utcnow()
    for row in rows:
        _check_draft_of(report, row.task)
        if row.include:
            _apply_row(row, actor, now)
        else:
            db.session.delete(row.task)
    db.session.flush()
    if confirm:
        db.session.refresh(report, ["tasks"])
        confirm_report(report, actor, now=now)


def _check_draft_of(report: Report, task: Task) -> None:
    if task.report_id != report.id or task.status is not TaskStatus.DRAFT:
        raise ReportImportError(_l("A task of another report was submitted."))


def _apply_row(row: ReviewedRecommendation, actor: User, now: datetime) -> None:
    """One kept row: each changed field and the owners, each change recorded."""
    if not row.title.strip():
        raise ReportImportError(_l("Every recommendation kept needs a title."))
    _apply_fields(row, actor, now)
    _apply_owners(row, actor, now)


def _reviewed_fields(row: ReviewedRecommendation) -> dict[str, object]:
    """The task's reviewable fields as the reviewer left them (an empty text is none)."""
    return {
        "title": row.title.strip(),
        "deadline": row.deadline,
        "deadline_text": row.deadline_text or None,
        "expected_result": row.expected_result or None,
        "method": row.method or None,
    }


def _apply_fields(row: ReviewedRecommendation, actor: User, now: datetime) -> None:
    task = row.task
    for name, new in _reviewed_fields(row).items():
        old = getattr(task, name)
        if old == new:
            continue
        record_event(
            task, actor, EventKind.EDITED, field=name, old=_label(old), new=_label(new), now=now
        )
        setattr(task, name, new)


def _apply_owners(row: ReviewedRecommendation, actor: User, now: datetime) -> None:
    task = row.task
    if [user.id for user in task.owners] == [user.id for user in row.owners]:
        return
    record_event(
        task,
        actor,
        EventKind.OWNERS_CHANGED,
        field="owners",
        old=", ".join(user.name for user in task.owners),
        new=", ".join(user.name for user in row.owners),
        now=now,
    )
    task.owners = list(row.owners)
    task.department = row.owners[0].department if row.owners else None


def confirm_report(
    report: Report, actor: User | None, *, now: datetime | None = None
) -> list[Task]:
    """Open every draft task of the report, in one go."""
    if actor is not None:
        require_registry(actor)
    if report.status is not ReportStatus.DRAFT:
        raise ReportImportError(_l("This report is already confirmed."))
    now = now or utcnow()
    opened = []
    for task in report.tasks:
        if task.status is TaskStatus.DRAFT:
            record_event(
                task,
                actor,
                EventKind.CONFIRMED,
                field="status",
                old=TaskStatus.DRAFT.value,
                new=TaskStatus.OPEN.value,
                now=now,
            )
            task.status = TaskStatus.OPEN
            opened.append(task)
    report.status = ReportStatus.CONFIRMED
    report.confirmed_at = now
    report.confirmed_by = actor
    db.session.flush()
    # Confirming gives each task to its owners: they hear of it (the notifications group a
    # report's tasks into one email per owner).
    for task in opened:
        if task.owners:
            events.owners_changed.announce(
                events.OwnersChanged(task, actor, added=tuple(task.owners), removed=())
            )
    return opened


@dataclass(frozen=True)
class NewRecommendation:
    """A recommendation the parser missed, as the reviewer typed it."""

    title: str
    owners: Sequence[User]
    deadline: date | None = None
    deadline_text: str | None = None
    expected_result: str | None = None
    method: str | None = None


def add_recommendation(
    report: Report, actor: User, new: NewRecommendation, *, now: datetime | None = None
) -> Task:
    """A draft task at the end of the report, reviewed and confirmed with the parsed ones;
    its history says who added it by hand."""
    require_registry(actor)
    if report.status is not ReportStatus.DRAFT:
        raise ReportImportError(_l("This report is already confirmed."))
    if not new.title.strip():
        raise ReportImportError(_l("A recommendation needs a title."))
    last = db.session.scalar(select(func.max(Task.position)).where(Task.report_id == report.id))
    task = create_task(
        new.title,
        list(new.owners),
        actor=actor,
        deadline=new.deadline,
        deadline_text=new.deadline_text or None,
        expected_result=new.expected_result or None,
        method=new.method or None,
        status=TaskStatus.DRAFT,
        created_by=actor,
        now=now,
    )
    task.report = report
    task.position = 0 if last is None else last + 1
    task.owner_names = []
    db.session.flush()
    return task


def discard_report(report: Report, actor: User) -> None:
    """Drop an import that was never confirmed, with its draft tasks."""
    require_registry(actor)
    if report.status is not ReportStatus.DRAFT:
        raise ReportImportError(_l("A confirmed report cannot be discarded."))
    # The scan it was read from (#15) goes with it: discarded, the file may be uploaded again.
    db.session.execute(delete(ScanImport).where(ScanImport.report_id == report.id))
    db.session.delete(report)
    db.session.flush()


@dataclass(frozen=True)
class ReportProgress:
    report: Report
    tasks: int
    done: int


def reports_with_progress(user: User) -> list[ReportProgress]:
    """Reports for the list with their task counts, counted in SQL over what the user may see.

    The registry sees every report; others see confirmed reports holding a task they may see.
    """
    visible_ids = visible_tasks(user).with_only_columns(Task.id)
    counts = (
        select(
            Task.report_id.label("report_id"),
            func.count().label("tasks"),
            func.sum(case((Task.status == TaskStatus.DONE, 1), else_=0)).label("done"),
        )
        .where(Task.id.in_(visible_ids), Task.report_id.is_not(None))
        .group_by(Task.report_id)
        .subquery()
    )
    query = (
        select(Report, func.coalesce(counts.c.tasks, 0), func.coalesce(counts.c.done, 0))
        .outerjoin(counts, counts.c.report_id == Report.id)
        .order_by(Report.created_at.desc(), Report.id.desc())
    )
    if user.role not in REGISTRY_ROLES:
        query = query.where(Report.status == ReportStatus.CONFIRMED, counts.c.tasks > 0)
    return [
        ReportProgress(report, tasks, done) for report, tasks, done in db.session.execute(query)
    ]


def tasks_of_report_visible_to(user: User, report: Report) -> Sequence[Task]:
    query = (
        visible_tasks(user)
        .where(Task.report_id == report.id)
        .options(selectinload(Task.owners))
        .order_by(Task.position, Task.id)
    )
    return db.session.scalars(query).all()
