"""Scanned reports through the upload page (#15 point 1): the upload returns at once with
"reading the scanned document", a thread reads it by OCR, the review shows the confidence and
flags; a reader that dies is replaced, a refused scan says why in the user's language, and
a server without Tesseract says what to install, storing nothing."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from tests.conftest import TrackerClient, unavailable
from tests.reports.scans import scanned_pdf
from tracker import background
from tracker.extensions import db
from tracker.models import Report, Role, ScanImport, ScanStatus, Task, utcnow
from tracker.reports import scan_jobs, scans, services
from tracker.reports.parsing import ParsedRecommendation, ParsedReport
from tracker.reports.parsing.model import OcrSummary

NEEDS_TESSERACT = (
    "Tesseract is not installed: apt install tesseract-ocr tesseract-ocr-hye tesseract-ocr-eng"
)
READING = {"en": "Reading the scanned document…", "hy": "Սկանավորված փաստաթուղթը կարդացվում է…"}
MISSING = {
    "en": "OCR is not installed (ask the administrator to install the Debian packages"
    " tesseract-ocr, tesseract-ocr-hye and tesseract-ocr-eng)",
    "hy": "tesseract-ocr, tesseract-ocr-hye և tesseract-ocr-eng",
}
NOT_A_REPORT = {
    "en": "This is not a trip report: the numbered sections of the report form were not found.",
    "hy": "Սա գործուղման հաշվետվություն չէ",
}


def needs_tesseract() -> None:
    if shutil.which("tesseract") is None:
        unavailable(NEEDS_TESSERACT)


@cache
def scan_of(name: str) -> bytes:
    return scanned_pdf(name)


def upload(client: Any, data: bytes, name: str = "scan.pdf") -> Any:
    token = client.csrf_token("/reports/upload")
    # Built here, not by client.post: Werkzeug's test client spools a body over 500 KB (a
    # scan is) to a temporary file that it never closes.
    builder = EnvironBuilder(
        path="/reports/upload",
        method="POST",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def page_text(response: Any) -> str:
    return " ".join(response.get_data(as_text=True).split())


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(ScanImport)) or 0,
        db.session.scalar(select(func.count()).select_from(Report)) or 0,
        db.session.scalar(select(func.count()).select_from(Task)) or 0,
    )


def only_scan() -> ScanImport:
    db.session.expire_all()
    return db.session.scalars(select(ScanImport)).one()


def scanned_report(**fields: Any) -> ParsedReport:
    """A parse as OCR gives it: the report's fields empty unless given."""
    empty: dict[str, Any] = dict.fromkeys(
        (
            "author_name",
            "author_position",
            "destination",
            "trip_start",
            "trip_end",
            "inviting_party",
            "purpose",
            "signatory",
            "signed_on",
        )
    )
    return ParsedReport(
        **{"source": "scan.pdf", "language": "hy", "title": "Հաշվետվություն", **empty, **fields}
    )


@pytest.fixture
def by_hand(app: Flask) -> None:
    """No thread reads the scan: the test reads it when it chooses (as the minute job)."""
    app.config["TRACKER_BACKGROUND_IN_PROCESS"] = False


def test_a_scan_is_read_in_the_background_into_a_draft_with_its_confidence(
    app: Flask, client: Any, make_user: Any, sample_people: Any
) -> None:
    needs_tesseract()
    language = "hy"
    staff = make_user(Role.STAFF, language=language)
    client.login(staff.email)

    response = upload(client, scan_of("hy-vilnius-2025-02.txt"), "vilnius-scan.pdf")

    # The request did not wait for the OCR: it queued the scan and sent the uploader to wait.
    assert response.status_code == 302
    scan = only_scan()
    assert response.headers["Location"].endswith(f"/reports/scans/{scan.id}")
    assert scan.filename == "vilnius-scan.pdf" and scan.uploaded_by_id == staff.id
    waiting = client.get(f"/reports/scans/{scan.id}")
    if waiting.status_code == 200:  # the thread may already be done on a fast machine
        assert READING[language] in page_text(waiting)
        assert '<meta http-equiv="refresh" content="3">' in waiting.get_data(as_text=True)

    assert background.wait_until_idle(app, timeout=120)
    scan = only_scan()
    assert scan.status is ScanStatus.DONE and scan.attempts == 1 and scan.error is None
    report = db.session.get(Report, scan.report_id)
    assert report is not None and report.uploaded_by_id == staff.id
    assert [task.deadline.isoformat() if task.deadline else None for task in report.tasks] == [
        "2025-03-31",
        "2025-06-30",
        None,
    ]
    assert [task.owners[0].name for task in report.tasks] == [
        "Անի Սարգսյան",
        "Կարեն Բաղիշյան",
        "Լիլիթ Հովհաննիսյան",
    ]
    assert report.ocr is not None and report.ocr["pages"] >= 1
    assert 50 <= report.ocr["mean_confidence"] <= 100

    # Done, the waiting page opens the review, which says the text came from a scan.
    done = client.get(f"/reports/scans/{scan.id}")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/reports/{report.id}/review"
    )
    review = client.get(f"/reports/{report.id}/review")
    assert f"/reports/scans/{scan.id}/file" in review.get_data(as_text=True)
    shown = re.search(r"(\d+)%", page_text(review).split("OCR", 1)[-1])
    assert shown and int(shown.group(1)) == round(report.ocr["mean_confidence"])


@pytest.mark.parametrize("language", ["en", "hy"])
def test_the_waiting_page_says_the_scan_is_being_read_in_the_users_language(
    client: Any, make_user: Any, by_hand: None, language: str
) -> None:
    staff = make_user(Role.STAFF, language=language)
    client.login(staff.email)
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", staff, utcnow())
    db.session.commit()

    page = client.get(f"/reports/scans/{scan.id}")

    assert page.status_code == 200 and READING[language] in page_text(page)
    assert '<meta http-equiv="refresh" content="3">' in page.get_data(as_text=True)


def test_the_reviewer_downloads_the_scan_as_uploaded(
    app: Flask, client: Any, make_user: Any, by_hand: None
) -> None:
    data = b"%PDF-1.4 not read here"
    client.login(make_user(Role.STAFF).email)
    scan = scans.queue_scan(data, "scan.pdf", make_user(Role.STAFF), utcnow())
    db.session.commit()
    scan_id = scan.id
    response = client.get(f"/reports/scans/{scan_id}/file")
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("language", ["en", "hy"])
def test_without_tesseract_the_upload_says_what_to_install_and_stores_nothing(
    client: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    monkeypatch.setattr(
        "tracker.reports.views.ocr_unavailable", lambda: "tesseract is not installed"
    )
    client.login(make_user(Role.STAFF, language=language).email)

    response = upload(client, scan_of("hy-vilnius-2025-02.txt"))

    assert response.status_code == 400
    assert MISSING[language] in page_text(response)
    assert counts() == (0, 0, 0)


def test_the_same_scan_uploaded_twice_while_waiting_is_read_once(
    client: Any, make_user: Any, by_hand: None
) -> None:
    client.login(make_user(Role.STAFF).email)
    first = upload(client, scan_of("hy-vilnius-2025-02.txt"))
    second = upload(client, scan_of("hy-vilnius-2025-02.txt"))
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == (1, 0, 0)


def test_an_officer_may_neither_upload_a_scan_nor_see_one(
    app: Flask, client: Any, make_user: Any, by_hand: None
) -> None:
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", make_user(Role.STAFF), utcnow())
    db.session.commit()
    scan_id = scan.id
    client.login(make_user(Role.OFFICER).email)
    assert client.get(f"/reports/scans/{scan_id}").status_code == 403
    assert client.get(f"/reports/scans/{scan_id}/file").status_code == 403
    assert client.get("/reports/upload").status_code == 403


def _queued(app: Flask, name: str, user: Any) -> int:
    scan = scans.queue_scan(scan_of(name), f"{name}.pdf", user, utcnow())
    db.session.commit()
    return scan.id


def test_a_scan_that_is_no_report_is_refused_in_the_users_language_then_removed(
    app: Flask, make_user: Any, by_hand: None
) -> None:
    needs_tesseract()
    readers = {language: make_user(Role.STAFF, language=language) for language in ("en", "hy")}
    scan_id = _queued(app, "not-a-report.txt", readers["hy"])

    assert scan_jobs.read_scan(scan_id) is ScanStatus.FAILED

    scan = only_scan()
    assert scan.error == {"code": "not_a_report", "params": {}}
    assert counts() == (1, 0, 0)
    for language, reader in readers.items():
        app.test_client_class = TrackerClient
        client: Any = app.test_client()
        client.login(reader.email)
        page = client.get(f"/reports/scans/{scan_id}")
        assert page.status_code == 200 and NOT_A_REPORT[language] in page_text(page)
        listed = client.get("/reports")
        assert f"/reports/scans/{scan_id}" in listed.get_data(as_text=True)

    client.submit(f"/reports/scans/{scan_id}/remove", {}, page=f"/reports/scans/{scan_id}")
    assert counts() == (0, 0, 0)


def test_a_refused_scan_tried_again_is_queued_and_read(
    app: Flask, client: Any, make_user: Any, sample_people: Any
) -> None:
    needs_tesseract()
    staff = sample_people["staff"]
    app.config["TRACKER_BACKGROUND_IN_PROCESS"] = False
    scan_id = _queued(app, "hy-vilnius-2025-02.txt", staff)
    scan = db.session.get(ScanImport, scan_id)
    assert scan is not None
    scans.refuse(scan, "ocr_failed", utcnow())
    db.session.commit()
    app.config["TRACKER_BACKGROUND_IN_PROCESS"] = True
    client.login(staff.email)

    client.submit(f"/reports/scans/{scan_id}/retry", {}, page=f"/reports/scans/{scan_id}")
    assert background.wait_until_idle(app, timeout=120)

    scan = only_scan()
    assert scan.status is ScanStatus.DONE and scan.attempts == 1
    assert counts() == (1, 1, 3)


def test_the_minute_job_reads_a_scan_whose_reader_died_and_leaves_a_live_one(
    app: Flask, make_user: Any, sample_people: Any, by_hand: None
) -> None:
    needs_tesseract()
    staff = sample_people["staff"]
    dead = _queued(app, "hy-vilnius-2025-02.txt", staff)
    live = _queued(app, "en-chisinau-2025-05.txt", staff)
    lease = scan_jobs.lease()
    now = utcnow()
    # Both claimed once; one reader has been silent for longer than its lease.
    assert scans.claim(dead, now - lease - timedelta(seconds=1), lease)
    assert scans.claim(live, now - timedelta(seconds=5), lease)
    db.session.commit()

    summary = scan_jobs.read_waiting_scans()

    assert (summary.read, summary.refused) == (1, 0)
    db.session.expire_all()
    read, waiting = db.session.get(ScanImport, dead), db.session.get(ScanImport, live)
    assert read is not None and waiting is not None
    assert (read.status, read.attempts) == (ScanStatus.DONE, 2)
    assert (waiting.status, waiting.attempts) == (ScanStatus.READING, 1)


def test_a_queued_scan_is_left_a_minute_to_the_uploads_thread(
    app: Flask, make_user: Any, by_hand: None
) -> None:
    scan_id = _queued(app, "hy-vilnius-2025-02.txt", make_user(Role.STAFF))
    assert scans.waiting_scan_ids(utcnow(), scan_jobs.lease()) == []
    later = utcnow() + scans.QUEUED_GRACE + timedelta(seconds=1)
    assert scans.waiting_scan_ids(later, scan_jobs.lease()) == [scan_id]


def test_a_scan_whose_readers_keep_dying_is_refused_not_read_forever(
    app: Flask, make_user: Any, by_hand: None
) -> None:
    scan_id = _queued(app, "hy-vilnius-2025-02.txt", make_user(Role.STAFF))
    lease = scan_jobs.lease()
    limit = app.config["TRACKER_SCAN_MAX_ATTEMPTS"]
    start = utcnow() - (lease + timedelta(seconds=1)) * (limit + 1)
    for attempt in range(limit):
        assert scans.claim(scan_id, start + (lease + timedelta(seconds=1)) * attempt, lease)
    db.session.commit()

    assert scan_jobs.read_scan(scan_id) is ScanStatus.FAILED

    scan = only_scan()
    assert scan.attempts == limit + 1
    assert scan.error == {"code": "scan_abandoned", "params": {}}


@pytest.mark.usefixtures("by_hand")
def test_two_readers_never_claim_the_same_scan(app: Flask, make_user: Any) -> None:
    scan_id = _queued(app, "hy-vilnius-2025-02.txt", make_user(Role.STAFF))
    lease = scan_jobs.lease()
    first = scans.claim(scan_id, utcnow(), lease)
    second = scans.claim(scan_id, utcnow(), lease)
    db.session.commit()
    assert (first, second) == (True, False)


def test_a_scan_of_a_report_already_imported_is_refused_at_the_upload(
    app: Flask, client: Any, make_user: Any, by_hand: None
) -> None:
    staff = make_user(Role.STAFF)
    client.login(staff.email)
    data = scan_of("hy-vilnius-2025-02.txt")
    scan_id = _queued(app, "hy-vilnius-2025-02.txt", staff)
    scan = db.session.get(ScanImport, scan_id)
    assert scan is not None
    db.session.add(
        Report(
            source_filename="a.pdf", content_hash=scan.content_hash, file_type="pdf", language="hy"
        )
    )
    db.session.delete(scan)
    db.session.commit()

    response = upload(client, data)

    assert response.status_code == 400 and "already imported" in page_text(response)
    assert counts() == (0, 1, 0)


def test_tracker_read_scans_reads_what_waits(
    app: Flask, runner: Any, sample_people: Any, by_hand: None
) -> None:
    needs_tesseract()
    # The one-page sample (a report with no recommendation): OCR costs seconds a page.
    _queued(app, "hy-no-recommendations.txt", sample_people["staff"])

    result = runner.invoke(args=["read-scans"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 scan(s) read into draft reports, 0 refused."
    assert only_scan().status is ScanStatus.DONE


def test_tracker_import_reads_a_scan_there_and_then(runner: Any, tmp_path: Any) -> None:
    needs_tesseract()
    path = tmp_path / "vilnius-scan.pdf"
    path.write_bytes(scan_of("hy-vilnius-2025-02.txt"))

    result = runner.invoke(args=["import", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert parsed["ocr"]["pages"] >= 1
    assert [item["deadline"] for item in parsed["recommendations"]] == [
        "2025-03-31",
        "2025-06-30",
        None,
    ]


def test_discarding_the_draft_drops_its_scan(
    app: Flask, client: Any, sample_people: Any, by_hand: None
) -> None:
    needs_tesseract()
    staff = sample_people["staff"]
    scan_id = _queued(app, "hy-no-recommendations.txt", staff)
    assert scan_jobs.read_scan(scan_id) is ScanStatus.DONE
    report_id = only_scan().report_id
    client.login(staff.email)

    client.submit(f"/reports/{report_id}/discard", {}, page=f"/reports/{report_id}/discard")

    assert counts() == (0, 0, 0)


def test_the_scheduler_runs_the_scan_reader_every_minute(app: Flask) -> None:
    from tracker.notifications.scheduling import build_scheduler

    scheduler = build_scheduler(app, blocking=False)
    ids = {job.id for job in scheduler.get_jobs()}
    assert "minute-tracker.reports.read_waiting_scans" in ids


@pytest.mark.parametrize(
    ("language", "report_fields", "title_flag"),
    [
        ("en", "Check against the scan: Author, Trip.", "read with 41% confidence"),
        ("hy", "Համեմատեք սկանի հետ՝ Հեղինակ, Գործուղում։", "կարդացվել է 41% վստահելիությամբ"),
    ],
)
def test_the_review_flags_each_field_read_with_low_confidence(
    client: Any, make_user: Any, language: str, report_fields: str, title_flag: str
) -> None:
    staff = make_user(Role.STAFF, language=language)
    parsed = scanned_report(
        author_name="Անի Սարգսյան",
        destination="Վիլնյուս",
        recommendations=(
            ParsedRecommendation(title="Մշակել հայեցակարգ", text="Մշակել հայեցակարգ"),
            ParsedRecommendation(title="Կազմակերպել սեմինար", text="Կազմակերպել սեմինար"),
        ),
        ocr=OcrSummary(
            pages=2,
            mean_confidence=91.4,
            seconds=5.0,
            low_fields={
                "author_name": 55.0,
                "trip_start": 60.0,
                "trip_end": 60.0,
                "recommendations.0.title": 41.0,
            },
        ),
    )
    report = services.import_report(parsed, b"%PDF scan", uploaded_by=staff).report
    db.session.commit()
    client.login(staff.email)

    page = page_text(client.get(f"/reports/{report.id}/review"))

    assert report_fields in page
    assert "91%" in page
    # The first recommendation's title is flagged; nothing of the second is.
    first, second = page.split('id="row-2"')
    assert title_flag in first and title_flag not in second
    assert 'class="ocr-flag"' in first and 'class="ocr-flag"' not in second


def test_a_scan_tried_again_without_tesseract_says_what_to_install_and_stays_refused(
    client: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch, by_hand: None
) -> None:
    staff = make_user(Role.STAFF, language="en")
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", staff, utcnow())
    scans.refuse(scan, "ocr_failed", utcnow())
    db.session.commit()
    monkeypatch.setattr(
        "tracker.reports.views.ocr_unavailable", lambda: "tesseract is not installed"
    )
    client.login(staff.email)

    client.submit(f"/reports/scans/{scan.id}/retry", {}, page=f"/reports/scans/{scan.id}")

    assert MISSING["en"] in page_text(client.get(f"/reports/scans/{scan.id}"))
    assert only_scan().status is ScanStatus.FAILED


def test_a_scan_being_read_is_not_removed(client: Any, make_user: Any, by_hand: None) -> None:
    staff = make_user(Role.STAFF)
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", staff, utcnow())
    db.session.commit()
    client.login(staff.email)

    client.submit(f"/reports/scans/{scan.id}/remove", {}, page=f"/reports/scans/{scan.id}")

    assert only_scan().status is ScanStatus.QUEUED


@pytest.mark.parametrize("status", [ScanStatus.DONE, ScanStatus.FAILED])
def test_a_scan_read_or_refused_long_ago_is_never_claimed_again(
    app: Flask, make_user: Any, by_hand: None, status: ScanStatus
) -> None:
    lease = scan_jobs.lease()
    long_ago = utcnow() - lease * 3
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", make_user(Role.STAFF), long_ago)
    scan.status, scan.started_at, scan.finished_at = status, long_ago, long_ago
    db.session.commit()

    assert scans.waiting_scan_ids(utcnow(), lease) == []
    assert scans.claim(scan.id, utcnow(), lease) is False
    db.session.commit()
    assert only_scan().status is status


def test_a_stored_reading_records_when_it_ended(app: Flask, make_user: Any, by_hand: None) -> None:
    staff = make_user(Role.STAFF)
    scan = scans.queue_scan(b"%PDF-1.4", "scan.pdf", staff, utcnow())
    reading_ended = utcnow() + timedelta(minutes=3)
    parsed = scanned_report(
        recommendations=(ParsedRecommendation(title="Մշակել", text="Մշակել"),),
        ocr=OcrSummary(pages=1, mean_confidence=90.0, seconds=2.0),
    )

    result = scans.store_reading(scan, parsed, reading_ended)
    db.session.commit()

    stored = only_scan()
    assert (stored.status, stored.finished_at, stored.report_id) == (
        ScanStatus.DONE,
        reading_ended,
        result.report.id,
    )
    assert result.report.created_at == reading_ended
    assert result.report.ocr == {
        "pages": 1,
        "mean_confidence": 90.0,
        "seconds": 2.0,
        "engine": "",
        "low_fields": {},
    }
