"""Every sample report parses to what /work/shared/reports/expected.json says (see its _about)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable
from tests.reports.conftest import JSON_KEYS, SAMPLES
from tracker.reports.parsing import ParsedRecommendation, ParsedReport, ReportError, parse_report

SHARED_SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "reports"
EXACT_RECOMMENDATION_FIELDS = ("deadline_text", "expected_result", "method")


def _expected() -> dict[str, Any]:
    return json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))


def _expected_reports() -> list[tuple[str, dict[str, Any]]]:
    return sorted(_expected()["reports"].items())


REPORTS = _expected_reports()
REPORT_NAMES = [name for name, _ in REPORTS]


def _error_samples() -> list[str]:
    return _expected()["errors"]


def normalized(value: Any) -> Any:
    """The _about rule: compare after trimming white space and trailing . : ։ ;"""
    if not isinstance(value, str):
        return value
    value = value.strip()
    while value and value[-1] in ".:։;":
        value = value[:-1].rstrip()
    return value


def parse_sample(name: str) -> ParsedReport:
    return parse_report((SAMPLES / name).read_bytes(), name)


def test_the_samples_are_byte_identical_copies_of_the_shared_ones() -> None:
    if not SHARED_SAMPLES.is_dir():
        unavailable(f"{SHARED_SAMPLES} is not there (a fresh clone has only the copies)")
    shared = sorted(path.name for path in SHARED_SAMPLES.iterdir() if path.is_file())
    copied = sorted(path.name for path in SAMPLES.iterdir() if path.is_file())
    assert copied == shared
    for name in shared:
        assert (SAMPLES / name).read_bytes() == (SHARED_SAMPLES / name).read_bytes(), name


@pytest.mark.parametrize(("name", "expected_report"), REPORTS, ids=REPORT_NAMES)
def test_sample_report_fields(name: str, expected_report: dict[str, Any]) -> None:
    report = parse_sample(name).to_json()
    for key, value in expected_report.items():
        if key == "recommendations":
            continue
        if key == "warnings_nonempty":
            assert bool(report["warnings"]) is value, report["warnings"]
            continue
        assert normalized(report[key]) == normalized(value), key


@pytest.mark.parametrize(("name", "expected_report"), REPORTS, ids=REPORT_NAMES)
def test_sample_report_recommendations(name: str, expected_report: dict[str, Any]) -> None:
    recommendations = parse_sample(name).recommendations
    expected_items = expected_report["recommendations"]
    assert len(recommendations) == len(expected_items)
    for item, expected_item in zip(recommendations, expected_items, strict=True):
        _check_recommendation(item, expected_item)


def _check_recommendation(item: ParsedRecommendation, expected_item: dict[str, Any]) -> None:
    as_json = item.to_json()
    if "title_startswith" in expected_item:
        assert item.title.startswith(expected_item["title_startswith"]), item.title
    if "text_contains" in expected_item:
        assert expected_item["text_contains"] in item.text, item.text
    if "deadline" in expected_item:
        assert as_json["deadline"] == expected_item["deadline"], item.deadline_text
    if "owners" in expected_item:
        assert list(item.owners) == expected_item["owners"]
    for key in EXACT_RECOMMENDATION_FIELDS:
        if key in expected_item:
            assert normalized(as_json[key]) == normalized(expected_item[key]), key


@pytest.mark.parametrize("name", _error_samples())
def test_error_samples_are_refused(name: str) -> None:
    with pytest.raises(ReportError) as refused:
        parse_sample(name)
    assert refused.value.code == "not_a_report"
    assert "\n" not in str(refused.value)


def test_the_pdf_and_the_text_of_the_same_report_parse_alike() -> None:
    from_pdf = parse_sample("hy-tbilisi-2024-07.pdf").to_json()
    from_text = parse_sample("hy-tbilisi-2024-07.txt").to_json()
    assert from_pdf.pop("source") != from_text.pop("source")
    assert from_pdf == from_text


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_json_has_exactly_the_contract_keys(name: str) -> None:
    report = parse_sample(name)
    as_json = report.to_json()
    assert set(as_json) == JSON_KEYS
    assert list(as_json["sections"]) == [str(number) for number in range(1, 11)]
    for item in as_json["recommendations"]:
        assert set(item) == {
            "title",
            "text",
            "owners",
            "deadline",
            "deadline_text",
            "expected_result",
            "method",
        }
    assert report.text.startswith("ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ") or report.text.startswith("REPORT")
