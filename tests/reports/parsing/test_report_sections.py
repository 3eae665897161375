"""Finding the ten sections: by number, whatever the wording, with the value anywhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tracker.reports.parsing import ParsedReport, ReportError, parse_report

ReportBuilder = Callable[..., str]


def parse_text(text: str) -> ParsedReport:
    return parse_report(text.encode(), "report.txt")


@pytest.mark.parametrize(
    ("original", "typed"),
    [
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1. Անունը, ազգանունը՝ Անի Սարգսյան"),
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1. Անունը, ազգանունը: Անի Սարգսյան"),
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1) Անունը, ազգանունը. Անի Սարգսյան"),
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1. ԱՆՈՒՆԸ, ԱԶԳԱՆՈՒՆԸ - Անի Սարգսյան"),
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1. Ազգանունը, անունը\n\n\nԱնի Սարգսյան"),
        ("1. Անունը, ազգանունը.\nԱնի Սարգսյան", "1. Գործուղված աշխատողը: Անի Սարգսյան"),
    ],
    ids=[
        "armenian-comma",
        "colon",
        "bracket-and-dot",
        "capitals-and-dash",
        "blank-lines",
        "other-words",
    ],
)
def test_the_value_on_the_heading_line_or_below(
    report_text: ReportBuilder, original: str, typed: str
) -> None:
    text = report_text().replace(original, typed)
    assert typed in text
    assert parse_text(text).author_name == "Անի Սարգսյան"


def test_english_headings_with_the_values_inline(report_text: ReportBuilder) -> None:
    text = report_text("en").replace(
        "Name, surname:\nGohar Petrosyan", "Name, surname: G. Petrosyan"
    )
    report = parse_text(text)
    assert report.language == "en"
    assert report.author_name == "G. Petrosyan"
    assert report.sections["9"].startswith("1. Set up a referral desk.")


def test_language_follows_the_text(report_text: ReportBuilder) -> None:
    assert parse_text(report_text("hy")).language == "hy"
    assert parse_text(report_text("en")).language == "en"


def test_a_missing_section_is_a_warning_and_an_empty_text(report_text: ReportBuilder) -> None:
    text = report_text().replace("4. Հրավիրող կողմը.\nՄԱԿ-ի զարգացման ծրագիր (ՄԱԶԾ)", "")
    report = parse_text(text)
    assert report.inviting_party is None
    assert report.sections["4"] == ""
    assert "Section 4 (inviting party) was not found" in report.warnings


def test_an_empty_section_is_a_warning(report_text: ReportBuilder) -> None:
    report = parse_text(report_text(section2=""))
    assert report.author_position is None
    assert "Section 2 (position) is empty" in report.warnings


def test_the_title_is_what_precedes_section_1(report_text: ReportBuilder) -> None:
    assert parse_text(report_text()).title == "ՀԱՇՎԵՏՎՈՒԹՅՈՒՆ ԳՈՐԾՈՒՂՄԱՆ ԱՐԴՅՈՒՆՔՆԵՐԻ ՄԱՍԻՆ"
    untitled = report_text("en").removeprefix("REPORT")
    assert parse_text(untitled).title == "Report on the results of the business trip"


def test_a_numbered_list_is_not_a_report() -> None:
    text = "\n".join(f"{number}. Գնել {number} կիլոգրամ խնձոր" for number in range(1, 11))
    with pytest.raises(ReportError) as refused:
        parse_text(text)
    assert refused.value.code == "not_a_report"


def test_a_report_missing_most_sections_is_not_a_report(report_text: ReportBuilder) -> None:
    text = "\n\n".join(report_text().split("\n\n")[:5])
    with pytest.raises(ReportError) as refused:
        parse_text(text)
    assert refused.value.code == "not_a_report"


def test_a_numbered_list_in_an_earlier_section_does_not_move_the_headings(
    report_text: ReportBuilder,
) -> None:
    topics = "\n".join(f"{number}. Թեմա {number}" for number in range(1, 9))
    report = parse_text(report_text(section6=topics))
    assert report.sections["6"] == topics
    assert report.sections["7"] == "Հանդիպումներ քաղաքապետարանում։"
    assert report.author_name == "Անի Սարգսյան"
