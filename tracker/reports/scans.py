"""Scanned reports (#15): queued at the upload, claimed by a reader, stored as a draft report.

OCR takes seconds a page, too long for a request: the upload stores the file in
`scan_imports` and returns; a reader (a thread of the web process at once, or the
scheduler's minute job later) claims the row with one conditional UPDATE, so two readers
never read the same scan, and a reader that died gives its claim up when the lease ends.
Services here never commit (tracker/reports/scan_jobs.py owns the transactions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from tracker.extensions import db
from tracker.models import Report, ScanImport, ScanStatus, User
from tracker.reports.parsing import ParsedReport, ReportError
from tracker.reports.services import (
    DuplicateReport,
    ImportResult,
    content_hash,
    find_by_hash,
    import_report,
    require_registry,
)

# A queued scan is left this long to the thread of the process that took the upload before
# the minute job takes it (a process that stopped between the commit and the thread).
QUEUED_GRACE = timedelta(seconds=60)


def queue_scan(content: bytes, filename: str, uploaded_by: User, now: datetime) -> ScanImport:
    """The scan to read; the one already waiting when the same file was uploaded twice.

    DuplicateReport when the file was imported before, as for any other upload."""
    require_registry(uploaded_by)
    digest = content_hash(content)
    existing = find_by_hash(digest)
    if existing is not None:
        raise DuplicateReport(existing)
    waiting = db.session.scalar(
        select(ScanImport)
        .where(
            ScanImport.content_hash == digest,
            ScanImport.status.in_((ScanStatus.QUEUED, ScanStatus.READING)),
        )
        .limit(1)
    )
    if waiting is not None:
        return waiting
    scan = ScanImport(
        filename=filename[:255],
        content_hash=digest,
        content=content,
        status=ScanStatus.QUEUED,
        attempts=0,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    db.session.add(scan)
    db.session.flush()
    return scan


def claim(scan_id: int, now: datetime, lease: timedelta) -> bool:
    """Take the scan for reading: True for the one reader whose UPDATE matched it."""
    claimed = db.session.execute(
        update(ScanImport)
        .where(ScanImport.id == scan_id, _claimable(now, lease, grace=None))
        .values(status=ScanStatus.READING, started_at=now, attempts=ScanImport.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(claimed, "rowcount", 0) == 1)


def _claimable(now: datetime, lease: timedelta, *, grace: timedelta | None) -> Any:
    """Queued (for longer than `grace`, when given), or claimed by a reader whose lease
    has passed."""
    queued = ScanImport.status == ScanStatus.QUEUED
    if grace is not None:
        queued = and_(queued, ScanImport.created_at <= now - grace)
    return or_(
        queued,
        and_(ScanImport.status == ScanStatus.READING, ScanImport.started_at <= now - lease),
    )


def waiting_scan_ids(
    now: datetime, lease: timedelta, *, grace: timedelta = QUEUED_GRACE
) -> list[int]:
    """Scans no reader has (queued for longer than the grace), or whose reader's lease has
    passed; oldest first."""
    return list(
        db.session.scalars(
            select(ScanImport.id)
            .where(_claimable(now, lease, grace=grace))
            .order_by(ScanImport.created_at, ScanImport.id)
        )
    )


def store_reading(scan: ScanImport, parsed: ParsedReport, now: datetime) -> ImportResult:
    """The scan's parse stored as a draft report, as an upload's is; the scan is done."""
    result = import_report(parsed, scan.content, uploaded_by=scan.uploaded_by, now=now)
    scan.status = ScanStatus.DONE
    scan.report = result.report
    scan.finished_at = now
    scan.error = None
    return result


def refuse(scan: ScanImport, code: str, now: datetime, **params: str | int) -> None:
    """The scan cannot become a report: why, by code and params, for the page to word."""
    scan.status = ScanStatus.FAILED
    scan.error = {"code": code, "params": params}
    scan.finished_at = now


def retry(scan: ScanImport, actor: User) -> None:
    """Queue a failed scan again (after an outage, or once Tesseract is installed)."""
    require_registry(actor)
    if scan.status is not ScanStatus.FAILED:
        return
    scan.status = ScanStatus.QUEUED
    scan.error = None
    scan.attempts = 0
    scan.started_at = scan.finished_at = None


def remove(scan: ScanImport, actor: User) -> bool:
    """Drop a scan that was refused (its file goes with it); a done one goes with its
    report, a queued or reading one is left to finish (False)."""
    require_registry(actor)
    if scan.status is not ScanStatus.FAILED:
        return False
    db.session.delete(scan)
    return True


def scan_error(scan: ScanImport) -> ReportError | None:
    """The stored refusal as the parser's ReportError, for the page to word."""
    if scan.error is None:
        return None
    params = {
        str(key): value
        for key, value in dict(scan.error.get("params") or {}).items()
        if isinstance(value, str | int)
    }
    code = str(scan.error.get("code", "parse_failed"))
    return ReportError(code, code=code, **params)


def scans_in_progress(limit: int = 20) -> Sequence[ScanImport]:
    """The scans being read or refused, newest first, for the reports page."""
    return db.session.scalars(
        select(ScanImport)
        .where(ScanImport.status != ScanStatus.DONE)
        .order_by(ScanImport.created_at.desc(), ScanImport.id.desc())
        .limit(limit)
    ).all()


def scan_of_report(report: Report) -> ScanImport | None:
    return db.session.scalar(select(ScanImport).where(ScanImport.report_id == report.id).limit(1))
