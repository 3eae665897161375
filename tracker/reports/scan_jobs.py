"""Reading the queued scans (#15): the job that a thread of the web process runs right after
the upload, and that the scheduler's minute job and `tracker read-scans` run for what waits.

Each scan is claimed in a transaction of its own, read by OCR in the parse sandbox with no
transaction open (a read takes seconds a page), then stored or refused in a last one. A
reader that dies mid-way leaves the claim to expire; after TRACKER_SCAN_MAX_ATTEMPTS claims
the scan is refused rather than read forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from tracker import background
from tracker.extensions import db
from tracker.models import ScanImport, ScanStatus, User, utcnow
from tracker.permissions import PermissionDenied
from tracker.reports import scans
from tracker.reports.parsing import ParsedReport, ReportError
from tracker.reports.sandbox import ParseLimits, parse_untrusted
from tracker.reports.services import DuplicateReport, ReportImportError
from tracker.unit_of_work import after_commit, unit_of_work

log = logging.getLogger(__name__)


def queue_and_read(content: bytes, filename: str, uploaded_by: User) -> ScanImport:
    """Queue the scan; once the caller's unit of work commits, a thread of this process
    starts reading it (the minute job reads it if this process stops first)."""
    scan = scans.queue_scan(content, filename, uploaded_by, utcnow())
    _read_after_commit(scan.id)
    return scan


def _read_after_commit(scan_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def start() -> None:
        background.submit(app, read_scan, scan_id)

    after_commit(start)


def retry_and_read(scan: ScanImport, actor: User) -> None:
    """Queue a refused scan again and read it once the caller's unit of work commits."""
    scans.retry(scan, actor)
    _read_after_commit(scan.id)


def lease() -> timedelta:
    """How long a claim holds: the OCR's own time limit, and a minute to store the result."""
    return timedelta(seconds=int(current_app.config["TRACKER_OCR_TIMEOUT_SECONDS"]) + 60)


@dataclass
class ReadSummary:
    read: int = 0
    refused: int = 0


def read_scan(scan_id: int) -> ScanStatus | None:
    """Claim and read one scan; its status afterwards, or None when another reader has it."""
    with unit_of_work():
        if not scans.claim(scan_id, utcnow(), lease()):
            return None
        scan = db.session.get(ScanImport, scan_id, populate_existing=True)
        assert scan is not None  # claimed just now
        if scan.attempts > int(current_app.config["TRACKER_SCAN_MAX_ATTEMPTS"]):
            scans.refuse(scan, "scan_abandoned", utcnow())
            return ScanStatus.FAILED
        # Read before the commit: no transaction stays open during the OCR, which takes
        # minutes for a long scan (SQLite would keep its lock that long).
        content, filename = scan.content, scan.filename
    try:
        parsed = parse_untrusted(content, filename, ParseLimits.for_scans(current_app.config))
    except ReportError as error:
        log.info("scan %d refused: %s", scan_id, error.code)
        return _refuse(scan_id, error.code, **error.params)
    return _store(scan_id, parsed)


def _store(scan_id: int, parsed: ParsedReport) -> ScanStatus:
    try:
        with unit_of_work():
            scan = db.session.get(ScanImport, scan_id)
            if scan is None:  # removed meanwhile
                return ScanStatus.FAILED
            scans.store_reading(scan, parsed, utcnow())
    except DuplicateReport as duplicate:
        return _refuse(scan_id, "duplicate", report=duplicate.existing.id)
    except PermissionDenied:
        # The uploader lost the registry's role while the scan was read.
        return _refuse(scan_id, "not_allowed")
    except ReportImportError as error:
        log.info("scan %d not stored: %s", scan_id, error)
        return _refuse(scan_id, "parse_failed")
    return ScanStatus.DONE


def _refuse(scan_id: int, code: str, **params: str | int) -> ScanStatus:
    with unit_of_work():
        scan = db.session.get(ScanImport, scan_id)
        if scan is not None:
            scans.refuse(scan, code, utcnow(), **params)
    return ScanStatus.FAILED


def read_waiting_scans(*, at_once: bool = False) -> ReadSummary:
    """Every scan no reader has, oldest first (the scheduler's minute job). A queued scan is
    first left a minute to the upload's own thread, unless `at_once` (by hand)."""
    summary = ReadSummary()
    grace = timedelta(0) if at_once else scans.QUEUED_GRACE
    for scan_id in scans.waiting_scan_ids(utcnow(), lease(), grace=grace):
        status = read_scan(scan_id)
        if status is ScanStatus.DONE:
            summary.read += 1
        elif status is ScanStatus.FAILED:
            summary.refused += 1
    return summary
