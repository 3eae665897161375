"""Forms that differ from the model (#15 point 4): headings numbered in other styles or not at
all, sections merged, missing or out of order, the 2023 wording of Section 9. The parser says
which sections it found, reads Section 9 wherever it is, and never guesses it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.reports.parsing.conftest import EN_HEADINGS, HY_HEADINGS
from tracker.reports.parsing import ParsedReport, ReportError, parse_report

ReportBuilder = Callable[..., str]
ALL = tuple(range(1, 11))
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
SECTION9_MISSING = (
    "Section 9 (recommendations) was not found: no task was created from this report;"
    " add recommendations by hand if it has any"
)
HY_2023_HEADING = "Առաջարկություններ և դրանց կատարման ընթացքի վերահսկման եղանակը"
EN_2023_HEADING = "Recommendations and the method of monitoring their implementation"


def parse_text(text: str) -> ParsedReport:
    return parse_report(text.encode(), "report.txt")


def renumbered(text: str, style: Callable[[int], str]) -> str:
    """The report with each heading's "N. " typed as `style(N)` (list items kept)."""
    for number in ALL:
        for headings in (HY_HEADINGS, EN_HEADINGS):
            text = text.replace(
                f"\n{number}. {headings[number]}", f"\n{style(number)}{headings[number]}"
            )
    return text


def parts(text: str) -> list[str]:
    """The title, then each section (heading and value) as the builder joined them."""
    return text.rstrip("\n").split("\n\n")


def joined(pieces: list[str]) -> str:
    return "\n\n".join(pieces) + "\n"


def form_warning(report: ParsedReport) -> str:
    return next(item for item in report.warnings if item.startswith("The report's form"))


def assert_whole_report(report: ParsedReport, language: str) -> None:
    assert report.sections_found == ALL
    assert len(report.recommendations) == 1
    title = "Մշակել հայեցակարգ" if language == "hy" else "Set up a referral desk"
    assert report.recommendations[0].title.startswith(title)
    assert report.sections["1"] in {"Անի Սարգսյան", "Gohar Petrosyan"}


STYLES: dict[str, Callable[[int], str]] = {
    "bracket": lambda number: f"{number}) ",
    "roman-dot": lambda number: f"{ROMAN[number - 1]}. ",
    "roman-bracket": lambda number: f"{ROMAN[number - 1]}) ",
    "hy-section-word": lambda number: f"Բաժին {number}: ",
    "hy-ordinal": lambda number: f"{number}-{'ին' if number == 1 else 'րդ'} բաժին. ",
    "en-section-word": lambda number: f"Section {number}: ",
    "en-ordinal": lambda number: f"{number}th section. ",
    "hy-section-word-space": lambda number: f"Բաժին {number} ",
    "hy-ordinal-bare": lambda number: f"{number}-{'ին' if number == 1 else 'րդ'} բաժին ",
    "hy-ordinal-colon": lambda number: f"{number}-րդ բաժին: ",
    "roman-lower": lambda number: f"{ROMAN[number - 1].lower()}. ",
    "section-dot": lambda number: f"Section {number}. ",
    "no-number": lambda number: "",
}


@pytest.mark.parametrize("language", ["hy", "en"])
@pytest.mark.parametrize("style", sorted(STYLES))
def test_headings_numbered_in_another_style_or_not_at_all(
    report_text: ReportBuilder, style: str, language: str
) -> None:
    report = parse_text(renumbered(report_text(language), STYLES[style]))
    assert_whole_report(report, language)
    assert SECTION9_MISSING not in report.warnings


@pytest.mark.parametrize("language", ["hy", "en"])
def test_the_model_form_gives_no_form_warning(report_text: ReportBuilder, language: str) -> None:
    report = parse_text(report_text(language))
    assert report.sections_found == ALL
    assert not any(item.startswith("The report's form") for item in report.warnings)


@pytest.mark.parametrize("language", ["hy", "en"])
def test_another_style_is_said_with_the_sections_found(
    report_text: ReportBuilder, language: str
) -> None:
    report = parse_text(renumbered(report_text(language), STYLES["roman-dot"]))
    assert form_warning(report) == (
        "The report's form differs from the model form: sections found: 1, 2, 3, 4, 5, 6, 7,"
        " 8, 9, 10"
    )


@pytest.mark.parametrize("language", ["hy", "en"])
def test_only_section9_without_its_number(report_text: ReportBuilder, language: str) -> None:
    headings = HY_HEADINGS if language == "hy" else EN_HEADINGS
    text = report_text(language).replace(f"9. {headings[9]}", headings[9])
    assert_whole_report(parse_text(text), language)


@pytest.mark.parametrize(
    ("language", "heading"), [("hy", HY_2023_HEADING), ("en", EN_2023_HEADING)]
)
@pytest.mark.parametrize("numbered", [True, False], ids=["numbered", "alone"])
def test_the_2023_wording_of_section9(
    report_text: ReportBuilder, language: str, heading: str, numbered: bool
) -> None:
    headings = HY_HEADINGS if language == "hy" else EN_HEADINGS
    typed = f"9. {heading}" if numbered else heading
    report = parse_text(report_text(language).replace(f"9. {headings[9]}", typed))
    assert_whole_report(report, language)
    # The heading's words are not taken as a recommendation.
    assert "դրանց" not in report.sections["9"] and "monitoring" not in report.sections["9"]


@pytest.mark.parametrize("language", ["hy", "en"])
def test_two_headings_on_one_line(report_text: ReportBuilder, language: str) -> None:
    pieces = parts(report_text(language))
    heading8 = pieces[8].split("\n")[0]
    merged = [*pieces[:8], f"{heading8} {pieces[9]}", *pieces[10:]]
    report = parse_text(joined(merged))
    assert_whole_report(report, language)
    assert report.sections["8"] == ""
    assert "Section 8 (decisions) is empty" in report.warnings


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("hy", "8-9. Ընդունված որոշումները և առաջարկությունները"),
        ("hy", "8 և 9. Որոշումները, առաջարկությունները"),
        ("en", "8-9. Decisions and recommendations"),
        ("en", "Sections 8 and 9: Decisions and recommendations"),
    ],
)
def test_sections_8_and_9_in_one_block(
    report_text: ReportBuilder, language: str, heading: str
) -> None:
    pieces = parts(report_text(language))
    body8, body9 = (pieces[number].split("\n", 1)[1] for number in (8, 9))
    report = parse_text(joined([*pieces[:8], f"{heading}\n{body8}\n{body9}", *pieces[10:]]))
    assert report.sections_found == ALL
    assert body9.split("\n")[0] in report.sections["9"]
    assert len(report.recommendations) == 1
    assert not any("Section 8" in item for item in report.warnings)
    assert form_warning(report).endswith("1, 2, 3, 4, 5, 6, 7, 8, 9, 10")


@pytest.mark.parametrize("language", ["hy", "en"])
def test_a_merged_block_named_only_as_section_8_gives_no_recommendation(
    report_text: ReportBuilder, language: str
) -> None:
    heading = "8-9. Որոշումները" if language == "hy" else "8-9. Decisions made"
    pieces = parts(report_text(language))
    body8, body9 = (pieces[number].split("\n", 1)[1] for number in (8, 9))
    report = parse_text(joined([*pieces[:8], f"{heading}\n{body8}\n{body9}", *pieces[10:]]))
    assert report.recommendations == ()
    assert SECTION9_MISSING in report.warnings


@pytest.mark.parametrize("language", ["hy", "en"])
def test_sections_out_of_order(report_text: ReportBuilder, language: str) -> None:
    pieces = parts(report_text(language))
    reordered = [*pieces[:5], pieces[9], *pieces[5:9], *pieces[10:]]
    report = parse_text(joined(reordered))
    assert_whole_report(report, language)
    assert report.sections["6"] == pieces[6].split("\n", 1)[1]
    assert form_warning(report)


@pytest.mark.parametrize("language", ["hy", "en"])
def test_a_report_without_sections_5_to_9_is_stored_with_the_section9_warning(
    report_text: ReportBuilder, language: str
) -> None:
    pieces = parts(report_text(language))
    report = parse_text(joined([*pieces[:5], *pieces[10:]]))
    assert report.sections_found == (1, 2, 3, 4, 10)
    assert report.recommendations == ()
    assert report.sections["9"] == ""
    assert SECTION9_MISSING in report.warnings
    assert "Section 9 (recommendations) was not found" not in report.warnings
    assert "Section 5 (purpose) was not found" in report.warnings
    assert form_warning(report).endswith("sections found: 1, 2, 3, 4, 10")
    assert report.signed_on is not None


@pytest.mark.parametrize("language", ["hy", "en"])
def test_without_section9_nothing_is_guessed_from_the_other_sections(
    report_text: ReportBuilder, language: str
) -> None:
    # Section 8 holds a numbered list with deadlines: it is still not Section 9.
    listed = (
        "1) Մշակել ծրագիր։ Ժամկետը՝ մինչև 2025 թվականի մարտի 31-ը"
        if language == "hy"
        else "1) Draft a plan. Deadline: by 31 March 2025"
    )
    pieces = parts(report_text(language, section8=listed))
    report = parse_text(joined([*pieces[:9], *pieces[10:]]))
    assert report.recommendations == ()
    assert 9 not in report.sections_found
    assert SECTION9_MISSING in report.warnings


def test_the_first_four_sections_alone_are_still_no_report(report_text: ReportBuilder) -> None:
    with pytest.raises(ReportError) as refused:
        parse_text(joined(parts(report_text())[:5]))
    assert refused.value.code == "not_a_report"


def test_a_numbered_list_typed_in_roman_numbers_is_no_report() -> None:
    text = "\n".join(f"{ROMAN[number - 1]}. Գնել {number} կիլոգրամ խնձոր" for number in ALL)
    with pytest.raises(ReportError):
        parse_text(text)


@pytest.mark.parametrize("language", ["hy", "en"])
def test_labels_inside_section9_are_not_headings(report_text: ReportBuilder, language: str) -> None:
    # "Ժամկետը՝ ..." reads like Section 3's wording; with no number, it is a label of Section 9.
    text = renumbered(report_text(language), STYLES["no-number"])
    report = parse_text(text)
    assert report.recommendations[0].deadline is not None
