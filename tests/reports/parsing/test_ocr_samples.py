"""The sample reports, printed and scanned (tests/reports/scans.py), read by OCR: every field
of expected.json comes out right, or, where a scan cannot give it, is flagged for review.

Each scan is read once per test session (the `read_scan` fixture of conftest.py): OCR costs
seconds a page.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.reports.conftest import SAMPLES
from tests.reports.parsing.conftest import ScanReader
from tests.reports.parsing.test_parse_samples import _check_recommendation, normalized
from tests.reports.scans import VARIANTS, scan_names, scanned_pdf
from tracker.reports.parsing import ParsedReport, ReportError, parse_report
from tracker.reports.parsing.ocr import LOW_CONFIDENCE

EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
SCANS = [(name, variant) for name in scan_names() for variant in VARIANTS]

# What a scan cannot give, by sample and variant: each such expected field (key) is left
# unchecked, and the field that shows it (value) must be flagged in `ocr.low_fields` instead.
#  - The sample .pdf's long lines run off the right edge of its A4 page: its text layer holds
#    them whole, but a scan shows only what is on the page. The words cut by the edge are
#    flagged, so the position (Section 2) is.
#  - Its signatory's initial "B." is read "8." with full confidence; a line of a digit, a dot
#    and a Latin name is always flagged.
#  - A quarter's Roman number ("III", "II") loses or gains strokes in Tesseract's reading
#    ("11", "I", "1Ա"); such a number is always flagged, and the deadline read from it may be
#    wrong.
_QUARTER = {
    "recommendations.1.deadline": "recommendations.1.deadline_text",
    "recommendations.1.deadline_text": "recommendations.1.deadline_text",
}
_CUT_AND_INITIAL = {"author_position": "author_position", "signatory": "signatory"}
IMPOSSIBLE: dict[tuple[str, str], dict[str, str]] = {
    ("hy-tbilisi-2024-07.pdf", "clean"): _CUT_AND_INITIAL,
    ("hy-tbilisi-2024-07.pdf", "skewed"): _CUT_AND_INITIAL,
    ("hy-lyon-2025-09.docx", "clean"): _QUARTER,
    ("hy-lyon-2025-09.docx", "skewed"): _QUARTER,
    ("hy-vilnius-2025-02.txt", "clean"): _QUARTER,
    ("hy-vilnius-2025-02.txt", "skewed"): _QUARTER,
}


def _report_scans() -> list[tuple[str, str]]:
    return [(name, variant) for name, variant in SCANS if name in EXPECTED["reports"]]


@pytest.mark.parametrize(("name", "variant"), _report_scans())
def test_a_scanned_sample_gives_every_field_of_expected_json(
    name: str, variant: str, read_scan: ScanReader
) -> None:
    report = read_scan(name, variant)
    assert report.ocr is not None
    wanted = EXPECTED["reports"][name]
    impossible = IMPOSSIBLE.get((name, variant), {})
    as_json = report.to_json()
    for key, value in wanted.items():
        if key == "recommendations":
            continue
        if key in impossible:
            assert impossible[key] in report.ocr.low_fields, (key, report.ocr.low_fields)
        elif key == "warnings_nonempty":
            assert bool(as_json["warnings"]) is value, as_json["warnings"]
        else:
            assert normalized(as_json[key]) == normalized(value), (key, report.ocr.low_fields)
    assert len(report.recommendations) == len(wanted["recommendations"])
    for index, (item, expected_item) in enumerate(
        zip(report.recommendations, wanted["recommendations"], strict=True)
    ):
        checked = dict(expected_item)
        for key in list(checked):
            flagged = impossible.get(f"recommendations.{index}.{key}")
            if flagged is not None:
                assert flagged in report.ocr.low_fields, (key, report.ocr.low_fields)
                del checked[key]
        _check_recommendation(item, checked)


@pytest.mark.parametrize(
    ("name", "variant"), [scan for scan in SCANS if scan[0] in EXPECTED["errors"]]
)
def test_a_scanned_error_sample_is_refused_as_its_text_is(
    name: str, variant: str, read_scan: ScanReader
) -> None:
    with pytest.raises(ReportError) as as_text:
        parse_report((SAMPLES / name).read_bytes(), name)
    with pytest.raises(ReportError) as as_scan:
        read_scan(name, variant)
    assert as_scan.value.code == as_text.value.code == "not_a_report"


@pytest.mark.parametrize(("name", "variant"), _report_scans())
def test_the_ocr_summary_says_how_the_scan_was_read(
    name: str, variant: str, read_scan: ScanReader
) -> None:
    report = read_scan(name, variant)
    assert report.ocr is not None
    assert report.ocr.pages == len(_pages(name))
    assert report.ocr.engine.startswith("tesseract")
    assert report.ocr.mean_confidence > 80
    assert all(value < LOW_CONFIDENCE for value in report.ocr.low_fields.values())
    assert set(report.ocr.low_fields) <= _field_names(report)
    assert report.to_json()["ocr"]["low_fields"].keys() == report.ocr.low_fields.keys()


def test_a_clean_scan_flags_no_field_of_a_plainly_typed_report(read_scan: ScanReader) -> None:
    report = read_scan("en-chisinau-2025-05.txt", "clean")
    assert report.ocr is not None
    assert report.ocr.low_fields == {}


def test_without_ocr_a_scan_is_still_refused_as_scanned() -> None:
    with pytest.raises(ReportError) as refused:
        parse_report(scanned_pdf("hy-vilnius-2025-02.txt"), "scan.pdf")
    assert refused.value.code == "scanned_pdf"


def test_ocr_changes_nothing_for_a_pdf_with_a_text_layer() -> None:
    data = (SAMPLES / "hy-tbilisi-2024-07.pdf").read_bytes()
    with_ocr = parse_report(data, "hy-tbilisi-2024-07.pdf", ocr=True)
    assert with_ocr == parse_report(data, "hy-tbilisi-2024-07.pdf")
    assert with_ocr.ocr is None
    assert "ocr" not in with_ocr.to_json()


def _pages(name: str) -> list[Any]:
    from tests.reports.scans import page_images

    return page_images(name)


def _field_names(report: ParsedReport) -> set[str]:
    names = {
        "author_name",
        "author_position",
        "destination",
        "inviting_party",
        "signatory",
        "signed_on",
        "trip_start",
        "trip_end",
    }
    for index in range(len(report.recommendations)):
        for field in ("title", "text", "owners", "deadline_text", "expected_result", "method"):
            names.add(f"recommendations.{index}.{field}")
    return names
