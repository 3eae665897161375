"""The parser's warnings and refusals: codes and params underneath, the English line for the
CLI and the JSON contract, the user's language on the pages (#10 item 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from tests.reports.conftest import SAMPLES
from tracker.reports.messages import refusal, warning_text
from tracker.reports.parsing import ParseWarning, ReportError, parse_report
from tracker.reports.parsing.errors import WARNING_TEXTS
from tracker.reports.sandbox import report_from_wire, report_to_wire

# Params of every kind a warning carries: a phrase from the report, numbers, a section's
# name, a period, the signing day, a nested deadline warning.
PARAMS: dict[str, str | int | ParseWarning] = {
    "phrase": "մինչև տարեվերջ",
    "text": "15-17 մարտի",
    "title": "Մշակել ծրագիր",
    "number": 4,
    "name": "inviting party",
    "year": "2025",
    "page": 2,
    "signed_on": "2025-03-20",
    "period": "quarter",
    "sections": "1, 2, 3, 4, 10",
    "detail": ParseWarning("deadline_no_year", phrase="մինչև մայիս"),
}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def warning(code: str) -> ParseWarning:
    wanted = re.findall(r"\{(\w+)\}", WARNING_TEXTS[code])
    return ParseWarning(code, **{key: PARAMS[key] for key in wanted})


@pytest.mark.parametrize("code", sorted(WARNING_TEXTS))
def test_every_warning_reads_in_armenian_and_keeps_its_english_line(app: Flask, code: str) -> None:
    made = warning(code)
    assert isinstance(made, str) and str(made) == WARNING_TEXTS[code].format(**made.params)
    stored = json.loads(json.dumps(made.to_json()))
    with app.test_request_context(), force_locale("hy"):
        armenian = warning_text(stored)
        assert warning_text(made) == armenian
    assert armenian != str(made)
    assert not LATIN_WORD.findall(armenian.replace("PDF", "")), armenian
    with app.test_request_context(), force_locale("en"):
        # The English wording is the catalogue's, close to the parser's line.
        assert not re.search(r"%\(|\{", warning_text(stored))


def test_a_warning_survives_the_wire_and_the_json_contract_keeps_english_lines() -> None:
    report = parse_report((SAMPLES / "hy-tbilisi-2024-07.txt").read_bytes(), "report.txt")
    assert report.warnings, "the sample is expected to give warnings"
    assert all(isinstance(item, ParseWarning) for item in report.warnings)
    assert report.to_json()["warnings"] == [str(item) for item in report.warnings]
    wire = json.loads(json.dumps(report_to_wire(report)))
    back = report_from_wire(wire)
    assert back.warnings == report.warnings
    assert [getattr(item, "code", None) for item in back.warnings] == [
        getattr(item, "code", None) for item in report.warnings
    ]


def test_a_warning_stored_before_codes_is_shown_as_it_was(app: Flask) -> None:
    with app.test_request_context(), force_locale("hy"):
        assert warning_text("Section 9: something old") == "Section 9: something old"
        assert warning_text({"code": "unknown", "text": "An old line"}) == "An old line"


@pytest.mark.parametrize(
    "error",
    [
        ReportError("the file is empty", code="empty"),
        ReportError("file too large: 30 bytes", code="too_large", size=30, limit=20),
        ReportError("file too large", code="too_large"),
        ReportError("unsupported file type (.odt)", code="unsupported_type", suffix=".odt"),
        ReportError("unsupported file type (no extension)", code="unsupported_type", suffix=""),
        ReportError("the text file is not valid UTF-8", code="undecodable"),
        ReportError("broken Word file", code="broken_docx"),
        ReportError("broken Word file: not a .doc", code="broken_doc"),
        ReportError("antiword is not installed", code="doc_reader_missing"),
        ReportError("Word file too large once unpacked", code="too_large_unpacked"),
        ReportError("broken PDF", code="broken_pdf"),
        ReportError("encrypted PDF", code="encrypted_pdf"),
        ReportError("scanned PDF: no text layer", code="scanned_pdf"),
        ReportError("not a trip report: …", code="not_a_report"),
        ReportError("too slow", code="too_slow"),
        ReportError("too much memory", code="too_complex"),
        ReportError("the file could not be read", code="parse_failed"),
        ReportError("tesseract is not installed", code="ocr_unavailable"),
        ReportError("tesseract failed", code="ocr_failed"),
        ReportError("broken image", code="broken_image"),
        ReportError("scan too long: 60 pages", code="too_large", pages=60, page_limit=50),
        # The scan reader's own refusals (tracker/reports/scan_jobs.py).
        ReportError("read too many times", code="scan_abandoned"),
        ReportError("the uploader may no longer import", code="not_allowed"),
        ReportError("already imported", code="duplicate", report=7),
    ],
    ids=lambda error: f"{error.code}-{len(error.params)}",
)
def test_every_refusal_reads_in_armenian(app: Flask, error: ReportError) -> None:
    with app.test_request_context(), force_locale("hy"):
        armenian = refusal(error)
    # .doc files are "Word 97-2003" documents, read by the Debian package antiword.
    # Scans are read by OCR, with the Debian packages tesseract-ocr, -hye and -eng.
    allowed = {"txt", "docx", "doc", "pdf", "odt", "utf", "word", "debian", "antiword"}
    allowed |= {"ocr", "tesseract", "hye", "eng"}
    assert armenian != error.message
    assert not [w for w in LATIN_WORD.findall(armenian) if w.lower() not in allowed], armenian


_RAISED_CODE = re.compile(r'code="([a-z_0-9]+)"')
_PARSER_SOURCES = sorted(
    [
        *(Path(__file__).resolve().parents[2] / "tracker" / "reports" / "parsing").glob("*.py"),
        Path(__file__).resolve().parents[2] / "tracker" / "reports" / "sandbox.py",
    ]
)


def test_every_code_the_parser_raises_has_its_message_in_each_language(app: Flask) -> None:
    """A new refusal code left out of the catalogue would reach the user as the parser's
    English line: every code raised in the parser's sources must be worded."""
    codes = {code for path in _PARSER_SOURCES for code in _RAISED_CODE.findall(path.read_text())}
    assert {"empty", "scanned_pdf", "ocr_unavailable"} <= codes
    for code in sorted(codes):
        error = ReportError("an English line", code=code)
        with app.test_request_context(), force_locale("hy"):
            armenian = refusal(error)
        with app.test_request_context(), force_locale("en"):
            english = refusal(error)
        assert armenian != error.message and english != error.message, code
        assert armenian != english, code
