"""Section 9 in each shape it is typed: lists, labelled fields, brackets, prose, Word tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tracker.reports.parsing import ParsedReport, parse_report

ReportBuilder = Callable[..., str]
DocxReportBuilder = Callable[..., bytes]


def parse_section9(report_text: ReportBuilder, section9: str, language: str = "hy") -> ParsedReport:
    return parse_report(report_text(language, section9=section9).encode(), "report.txt")


# (id, section 9 text, [(title, owners, deadline, deadline_text)])
LISTS = [
    (
        "dash-with-labelled-lines",
        "- Մշակել հայեցակարգ։\nԺամկետը՝ 31.03.2025\nՊատասխանատու՝ Անի Սարգսյան\n"
        "- Կազմակերպել սեմինար։\nԺամկետ՝ 2025թ. II եռամսյակ\nՊատասխանատու՝ Կարեն Բաղիշյան",
        [
            ("Մշակել հայեցակարգ", ("Անի Սարգսյան",), date(2025, 3, 31), "31.03.2025"),
            ("Կազմակերպել սեմինար", ("Կարեն Բաղիշյան",), date(2025, 6, 30), "2025թ. II եռամսյակ"),
        ],
    ),
    (
        "bullets",
        "• Մշակել հայեցակարգ։\n  Ժամկետը՝ մշտապես\n• Կազմակերպել սեմինար։\n  Ժամկետը՝ Q4 2025",
        [
            ("Մշակել հայեցակարգ", (), None, "մշտապես"),
            ("Կազմակերպել սեմինար", (), date(2025, 12, 31), "Q4 2025"),
        ],
    ),
    (
        "number-bracket",
        "1) Մշակել հայեցակարգ։\nԺամկետը՝ մինչև 2025 թվականի մարտի 31-ը։\n"
        "2) Կազմակերպել սեմինար։\nԺամկետը՝ 2025 թ. 4-րդ եռամսյակ",
        [
            ("Մշակել հայեցակարգ", (), date(2025, 3, 31), "մինչև 2025 թվականի մարտի 31-ը"),
            ("Կազմակերպել սեմինար", (), date(2025, 12, 31), "2025 թ. 4-րդ եռամսյակ"),
        ],
    ),
    (
        "number-dot",
        "1. Մշակել հայեցակարգ։\n2. Կազմակերպել սեմինար։",
        [
            ("Մշակել հայեցակարգ", (), None, None),
            ("Կազմակերպել սեմինար", (), None, None),
        ],
    ),
    (
        "letters",
        "ա) Մշակել հայեցակարգ։\nբ) Կազմակերպել սեմինար։",
        [
            ("Մշակել հայեցակարգ", (), None, None),
            ("Կազմակերպել սեմինար", (), None, None),
        ],
    ),
    (
        "fields-in-brackets",
        "- Կազմակերպել սեմինար (Ժամկետը՝ 2025թ. II եռամսյակ, Պատասխանատու՝ Կարեն Բաղիշյան)։\n"
        "- Մշակել հայեցակարգ (պատասխանատուներ՝ Անի Սարգսյան, Լիլիթ Հովհաննիսյան; "
        "ժամկետը՝ 31.03.2025)",
        [
            ("Կազմակերպել սեմինար", ("Կարեն Բաղիշյան",), date(2025, 6, 30), "2025թ. II եռամսյակ"),
            (
                "Մշակել հայեցակարգ",
                ("Անի Սարգսյան", "Լիլիթ Հովհաննիսյան"),
                date(2025, 3, 31),
                "31.03.2025",
            ),
        ],
    ),
    (
        "fields-after-the-sentence",
        "1) Մշակել հայեցակարգ։ Ժամկետը՝ մինչև 2025 թվականի մարտի 31-ը։ Պատասխանատու՝ Անի Սարգսյան։",
        [
            (
                "Մշակել հայեցակարգ",
                ("Անի Սարգսյան",),
                date(2025, 3, 31),
                "մինչև 2025 թվականի մարտի 31-ը",
            )
        ],
    ),
    (
        "lead-in-sentence-is-context",
        "Առաջարկվում է՝\n- Մշակել հայեցակարգ։\n- Կազմակերպել սեմինար։",
        [
            ("Մշակել հայեցակարգ", (), None, None),
            ("Կազմակերպել սեմինար", (), None, None),
        ],
    ),
    (
        "sub-list-stays-in-its-item",
        "1) Կազմակերպել սեմինար՝\n- համայնքների ղեկավարների համար,\n- դպրոցների տնօրենների համար։\n"
        "Ժամկետը՝ Q4 2025\n2) Մշակել հայեցակարգ։",
        [
            ("Կազմակերպել սեմինար՝ - համայնքների", (), date(2025, 12, 31), "Q4 2025"),
            ("Մշակել հայեցակարգ", (), None, None),
        ],
    ),
    (
        "separators-colon-and-dash",
        "- Մշակել հայեցակարգ։\nԺամկետը: Q4 2025\nՊատասխանատու - Անի Սարգսյան",
        [("Մշակել հայեցակարգ", ("Անի Սարգսյան",), date(2025, 12, 31), "Q4 2025")],
    ),
    (
        "item-wrapped-over-lines",
        "1) Մշակել մարզպետարանում էլեկտրոնային\nդիմումների ընդունման հայեցակարգ։\n"
        "Ժամկետը՝ 31.03.2025\nՊատասխանատու՝ Անի\nՍարգսյան",
        [
            (
                "Մշակել մարզպետարանում էլեկտրոնային դիմումների ընդունման հայեցակարգ",
                ("Անի Սարգսյան",),
                date(2025, 3, 31),
                "31.03.2025",
            )
        ],
    ),
    (
        "items-numbered-past-ten",
        "\n".join(f"{number}. Առաջադրանք {number}։" for number in range(1, 13)),
        [(f"Առաջադրանք {number}", (), None, None) for number in range(1, 13)],
    ),
    (
        "prose-one-per-paragraph",
        "Մշակել հայեցակարգ և ներկայացնել մարզպետին։\n\nԿազմակերպել սեմինար համայնքների համար։\n"
        "Ժամկետը՝ 2025թ. II եռամսյակ",
        [
            ("Մշակել հայեցակարգ և ներկայացնել մարզպետին", (), None, None),
            ("Կազմակերպել սեմինար համայնքների համար", (), date(2025, 6, 30), "2025թ. II եռամսյակ"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("section9", "expected"), [case[1:] for case in LISTS], ids=[case[0] for case in LISTS]
)
def test_section9_list_shape(
    report_text: ReportBuilder, section9: str, expected: list[tuple[Any, ...]]
) -> None:
    report = parse_section9(report_text, section9)
    assert len(report.recommendations) == len(expected)
    for item, (title, owners, deadline, deadline_text) in zip(
        report.recommendations, expected, strict=True
    ):
        assert item.title.startswith(title), item.title
        assert (item.owners, item.deadline, item.deadline_text) == (owners, deadline, deadline_text)


def test_labelled_fields_fill_method_and_expected_result(report_text: ReportBuilder) -> None:
    report = parse_section9(
        report_text,
        "1) Մշակել հայեցակարգ։\nԵղանակը, ձևը՝ աշխատանքային խմբի ստեղծում։\n"
        "Ակնկալվող արդյունքը՝ հաստատված հայեցակարգ,\nև գործողությունների ծրագիր։",
    )
    (item,) = report.recommendations
    assert item.method == "աշխատանքային խմբի ստեղծում"
    assert item.expected_result == "հաստատված հայեցակարգ, և գործողությունների ծրագիր"
    assert item.text == "Մշակել հայեցակարգ։"


def test_english_labelled_fields(report_text: ReportBuilder) -> None:
    report = parse_section9(
        report_text,
        "1. Set up a referral desk. Staff it with one officer.\n"
        "   Method/form: order of the Governor\n   Deadline: by 30 September 2025\n"
        "   Responsible persons: Gohar Petrosyan and Armen Hakobyan\n"
        "   Expected result: every returnee is referred.",
        language="en",
    )
    (item,) = report.recommendations
    assert item.title == "Set up a referral desk"
    assert item.text == "Set up a referral desk. Staff it with one officer."
    assert item.method == "order of the Governor"
    assert item.deadline == date(2025, 9, 30)
    assert item.owners == ("Gohar Petrosyan", "Armen Hakobyan")
    assert item.expected_result == "every returnee is referred"


OWNERS = [
    ("comma", "Անի Սարգսյան, Կարեն Բաղիշյան", ("Անի Սարգսյան", "Կարեն Բաղիշյան")),
    ("semicolon", "Անի Սարգսյան; Կարեն Բաղիշյան", ("Անի Սարգսյան", "Կարեն Բաղիշյան")),
    ("hy-and", "Անի Սարգսյան և Կարեն Բաղիշյան", ("Անի Սարգսյան", "Կարեն Բաղիշյան")),
    (
        "three",
        "Ա. Սարգսյան, Կ. Բաղիշյան և Լ. Հովհաննիսյան",
        ("Ա. Սարգսյան", "Կ. Բաղիշյան", "Լ. Հովհաննիսյան"),
    ),
    ("department-with-and", "կրթության և մշակույթի բաժին", ("կրթության և մշակույթի բաժին",)),
    ("comma-in-brackets", "Անի Սարգսյան (բաժնի պետ, ՏՏ)", ("Անի Սարգսյան (բաժնի պետ, ՏՏ)",)),
    ("same-name-twice", "Անի Սարգսյան, Անի Սարգսյան", ("Անի Սարգսյան",)),
]


@pytest.mark.parametrize(
    ("owners_text", "owners"), [case[1:] for case in OWNERS], ids=[case[0] for case in OWNERS]
)
def test_responsible_persons(
    report_text: ReportBuilder, owners_text: str, owners: tuple[str, ...]
) -> None:
    report = parse_section9(report_text, f"1) Մշակել հայեցակարգ։\nՊատասխանատուներ՝ {owners_text}")
    assert report.recommendations[0].owners == owners


NONE = [
    ("hy-none", "hy", "Առաջարկություններ չկան։"),
    ("en-none", "en", "No recommendations."),
    ("empty", "hy", ""),
]


@pytest.mark.parametrize(
    ("language", "section9"), [case[1:] for case in NONE], ids=[case[0] for case in NONE]
)
def test_no_recommendations_gives_none_and_a_warning(
    report_text: ReportBuilder, language: str, section9: str
) -> None:
    report = parse_section9(report_text, section9, language)
    assert report.recommendations == ()
    assert any("Section 9" in warning for warning in report.warnings)


def test_text_after_the_list_is_not_a_task_but_a_warning(report_text: ReportBuilder) -> None:
    report = parse_section9(
        report_text,
        "- Մշակել հայեցակարգ։\n- Կազմակերպել սեմինար։\n\nԱռաջարկները կքննարկվեն խորհրդակցությանը։",
    )
    assert [item.title for item in report.recommendations] == [
        "Մշակել հայեցակարգ",
        "Կազմակերպել սեմինար",
    ]
    assert any("after the list" in warning for warning in report.warnings)


def test_a_paragraph_after_a_blank_line_inside_an_item_stays_in_it(
    report_text: ReportBuilder,
) -> None:
    report = parse_section9(
        report_text,
        "1) Մշակել հայեցակարգ։\n\nՆախագիծը քննարկել աշխատակազմում։\n2) Կազմակերպել սեմինար։",
    )
    first, second = report.recommendations
    assert first.text == "Մշակել հայեցակարգ։ Նախագիծը քննարկել աշխատակազմում։"
    assert second.title == "Կազմակերպել սեմինար"


def test_english_lead_in_ending_in_a_colon_is_not_a_task(report_text: ReportBuilder) -> None:
    report = parse_section9(
        report_text, "We propose the following:\nSet up a referral desk.", language="en"
    )
    assert [item.title for item in report.recommendations] == ["Set up a referral desk"]


def test_missing_owner_and_deadline_are_warnings_not_guesses(report_text: ReportBuilder) -> None:
    report = parse_section9(report_text, "- Մշակել հայեցակարգ։")
    (item,) = report.recommendations
    assert (item.owners, item.deadline, item.deadline_text) == ((), None, None)
    assert any("no responsible person" in warning for warning in report.warnings)
    assert any("no deadline" in warning for warning in report.warnings)


def test_unreadable_deadline_is_kept_as_written_with_a_warning(report_text: ReportBuilder) -> None:
    report = parse_section9(report_text, "- Մշակել հայեցակարգ։\nԺամկետը՝ երբ հնարավոր լինի")
    (item,) = report.recommendations
    assert (item.deadline, item.deadline_text) == (None, "երբ հնարավոր լինի")
    assert any("երբ հնարավոր լինի" in warning for warning in report.warnings)


# ---------------------------------------------------------------- Word tables

HY_HEADER = (
    "N",
    "Առաջարկություն",
    "Եղանակը, ձևը",
    "Ժամկետը",
    "Պատասխանատուն",
    "Ակնկալվող արդյունքը",
)
HY_ROW = (
    "1",
    "Կազմակերպել երիտասարդների փոխանակման ծրագիր",
    "համատեղ ծրագրի մշակում",
    "մինչև 2026 թ. ապրիլի 30-ը",
    "Լիլիթ Հովհաննիսյան",
    "առնվազն 15 մասնակից",
)


def _shuffled(row: tuple[str, ...], order: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(row[index] for index in order)


@pytest.mark.parametrize(
    "order",
    [(0, 1, 2, 3, 4, 5), (4, 3, 1, 5, 2, 0), (1, 5, 4, 2, 3, 0)],
    ids=["form-order", "shuffled", "no-number-first"],
)
def test_word_table_columns_in_any_order(
    make_docx_report: DocxReportBuilder, order: tuple[int, ...]
) -> None:
    data = make_docx_report([_shuffled(HY_HEADER, order), _shuffled(HY_ROW, order)])
    (item,) = parse_report(data, "report.docx").recommendations
    assert item.title == "Կազմակերպել երիտասարդների փոխանակման ծրագիր"
    assert item.method == "համատեղ ծրագրի մշակում"
    assert item.deadline == date(2026, 4, 30)
    assert item.deadline_text == "մինչև 2026 թ. ապրիլի 30-ը"
    assert item.owners == ("Լիլիթ Հովհաննիսյան",)
    assert item.expected_result == "առնվազն 15 մասնակից"


def test_word_table_with_english_headers_and_a_column_number_row(
    make_docx_report: DocxReportBuilder,
) -> None:
    rows = [
        ("Responsible", "Deadline", "Recommendation", "Expected result", "Method/form"),
        ("1", "2", "3", "4", "5"),
        (
            "Gohar Petrosyan\nArmen Hakobyan",
            "Q4 2025",
            "Set up a referral desk.",
            "a desk",
            "order",
        ),
        ("", "", "", "", ""),
    ]
    data = make_docx_report(rows, lead="The following is proposed:")
    (item,) = parse_report(data, "report.docx").recommendations
    assert item.title == "Set up a referral desk"
    assert item.owners == ("Gohar Petrosyan", "Armen Hakobyan")
    assert item.deadline == date(2025, 12, 31)
    assert (item.expected_result, item.method) == ("a desk", "order")


def test_word_table_without_known_headers_is_read_row_by_row_with_a_warning(
    make_docx_report: DocxReportBuilder,
) -> None:
    rows = [("Մշակել հայեցակարգ", "Ա. Սարգսյան"), ("Կազմակերպել սեմինար", "Կ. Բաղիշյան")]
    report = parse_report(make_docx_report(rows), "report.docx")
    assert [item.title for item in report.recommendations] == [
        "Մշակել հայեցակարգ — Ա. Սարգսյան",
        "Կազմակերպել սեմինար — Կ. Բաղիշյան",
    ]
    assert any("columns were not recognized" in warning for warning in report.warnings)
