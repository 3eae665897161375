"""Fields written inline (#15 point 5): in brackets or after dashes, inside the item's text or
inside another field's value, in Armenian or English, on one line or wrapped by the PDF."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.reports.parsing import ParsedRecommendation, parse_report
from tracker.reports.parsing.recommendations import rejoin_split_label, split_inline_fields

ReportBuilder = Callable[..., str]
PdfBuilder = Callable[..., bytes]
DocxReportBuilder = Callable[..., bytes]


def only_item(report_text: ReportBuilder, section9: str, language: str) -> ParsedRecommendation:
    report = parse_report(report_text(language, section9=section9).encode(), "report.txt")
    (item,) = report.recommendations
    return item


def fields(item: ParsedRecommendation) -> dict[str, object]:
    return {
        "deadline_text": item.deadline_text,
        "expected_result": item.expected_result,
        "method": item.method,
        "owners": item.owners,
    }


HY_DEADLINE = "մինչև 2026 թ. դեկտեմբերի 31-ը"
HY_ITEM = f"1) Մշակել հայեցակարգ։\nԺամկետը՝ {HY_DEADLINE}"
EN_DEADLINE = "by 31 December 2026"

# (id, language, section 9, deadline_text, expected_result, method, owners)
WHOLE_PATH = [
    (
        "hy-result-in-brackets-after-deadline",
        "hy",
        f"1) Մշակել հայեցակարգ։\nԺամկետը՝ {HY_DEADLINE} (ակնկալվող արդյունք՝ ընդունված հայեցակարգ)",
        HY_DEADLINE,
        "ընդունված հայեցակարգ",
        None,
        (),
    ),
    (
        "en-result-in-brackets-after-deadline",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (expected result: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "en-bracket-on-the-next-line",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE}\n(expected result: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "hy-bracket-on-the-next-line",
        "hy",
        f"{HY_ITEM}\n(ակնկալվող արդյունք՝ ընդունված հայեցակարգ)",
        HY_DEADLINE,
        "ընդունված հայեցակարգ",
        None,
        (),
    ),
    (
        "en-label-wrapped-inside-the-bracket",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (expected\nresult: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "hy-label-wrapped-inside-the-bracket",
        "hy",
        f"{HY_ITEM} (ակնկալվող\nարդյունք՝ ընդունված հայեցակարգ)",
        HY_DEADLINE,
        "ընդունված հայեցակարգ",
        None,
        (),
    ),
    (
        "en-label-hyphenated-mid-word",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (expec-\nted result: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "hy-label-hyphenated-mid-word",
        "hy",
        f"{HY_ITEM} (ակնկալ-\nվող արդյունք՝ ընդունված հայեցակարգ)",
        HY_DEADLINE,
        "ընդունված հայեցակարգ",
        None,
        (),
    ),
    (
        "en-bracket-opened-at-the-line-end",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (\nexpected result: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "en-value-wrapped-inside-the-bracket",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (expected result: an adopted\nconcept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "hy-hyphens",
        "hy",
        "1) Մշակել հայեցակարգ - պատասխանատու՝ Ա. Սարգսյան - ժամկետ՝ 2026 թ. 3-րդ եռամսյակ",
        "2026 թ. 3-րդ եռամսյակ",
        None,
        None,
        ("Ա. Սարգսյան",),
    ),
    (
        "en-em-dashes",
        "en",
        "1. Draft a concept — responsible: A. Sargsyan — deadline: Q3 2026",
        "Q3 2026",
        None,
        None,
        ("A. Sargsyan",),
    ),
    (
        "en-en-dashes",
        "en",
        "1. Draft a concept – responsible: A. Sargsyan – deadline: Q3 2026",
        "Q3 2026",
        None,
        None,
        ("A. Sargsyan",),
    ),
    (
        "hy-em-dashes-in-a-labelled-value",
        "hy",
        "1) Մշակել հայեցակարգ։\nԺամկետ՝ 2026 թ. 3-րդ եռամսյակ — պատասխանատու՝ Ա. Սարգսյան",
        "2026 թ. 3-րդ եռամսյակ",
        None,
        None,
        ("Ա. Սարգսյան",),
    ),
    (
        "en-dash-in-a-labelled-value",
        "en",
        "1. Draft a concept.\nDeadline: Q3 2026 - responsible: A. Sargsyan",
        "Q3 2026",
        None,
        None,
        ("A. Sargsyan",),
    ),
    (
        "en-several-in-one-bracket-semicolon",
        "en",
        "1. Draft a concept (method: working group; owner: Ministry of Economy)",
        None,
        None,
        "working group",
        ("Ministry of Economy",),
    ),
    (
        "en-several-in-one-bracket-comma",
        "en",
        "1. Draft a concept (method: working group, deadline: Q3 2026, owner: Ministry of Economy)",
        "Q3 2026",
        None,
        "working group",
        ("Ministry of Economy",),
    ),
    (
        "hy-several-in-one-bracket",
        "hy",
        "1) Մշակել հայեցակարգ (եղանակը՝ աշխատանքային խումբ; պատասխանատու՝ էկոնոմիկայի "
        "նախարարություն)",
        None,
        None,
        "աշխատանքային խումբ",
        ("էկոնոմիկայի նախարարություն",),
    ),
    (
        "en-several-in-a-bracket-wrapped-before-a-label",
        "en",
        "1. Draft a concept (method: working group;\nowner: Ministry of Economy)",
        None,
        None,
        "working group",
        ("Ministry of Economy",),
    ),
    (
        "hy-several-in-a-bracket-wrapped-before-a-label",
        "hy",
        "1) Մշակել հայեցակարգ (եղանակը՝ աշխատանքային խումբ;\nպատասխանատու՝ Ա. Սարգսյան)",
        None,
        None,
        "աշխատանքային խումբ",
        ("Ա. Սարգսյան",),
    ),
    (
        "en-result-bracket-inside-the-item-text",
        "en",
        f"1. Draft a concept. Deadline: {EN_DEADLINE}\n(expected result: an adopted concept)",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
    (
        "labelled-result-wins-over-an-inline-one",
        "en",
        f"1. Draft a concept.\nDeadline: {EN_DEADLINE} (result: a draft)\n"
        "Expected result: an adopted concept",
        EN_DEADLINE,
        "an adopted concept",
        None,
        (),
    ),
]


# Items typed as paragraphs (no list markers), and a value wrapped before its bracket.
WHOLE_PATH += [
    (
        "en-paragraph-label-wrapped-inside-the-bracket",
        "en",
        "Draft a concept (expected\nresult: an adopted concept).",
        None,
        "an adopted concept",
        None,
        (),
    ),
    (
        "hy-paragraph-fields-wrapped-in-one-bracket",
        "hy",
        "Մշակել հայեցակարգ (ժամկետ՝ 2026 թ. 3-րդ եռամսյակ,\nպատասխանատու՝ Ա. Սարգսյան)։",
        "2026 թ. 3-րդ եռամսյակ",
        None,
        None,
        ("Ա. Սարգսյան",),
    ),
    (
        "hy-deadline-phrase-and-bracket-both-wrapped",
        "hy",
        "1) Մշակել հայեցակարգ։\nԺամկետը՝ 2026 թվականի\nդեկտեմբերի 31-ը (ակնկալվող արդյունքը՝\n"
        "ընդունված հայեցակարգ)",
        "2026 թվականի դեկտեմբերի 31-ը",
        "ընդունված հայեցակարգ",
        None,
        (),
    ),
    (
        "en-dash-deadline-then-bracketed-result",
        "en",
        "1. Draft a concept - deadline: Q3 2026 (expected result: an adopted concept)",
        "Q3 2026",
        "an adopted concept",
        None,
        (),
    ),
    (
        "en-result-with-a-bracket-of-its-own",
        "en",
        "1. Draft a concept.\nDeadline: Q3 2026 (expected result: an adopted concept (draft law))",
        "Q3 2026",
        "an adopted concept (draft law)",
        None,
        (),
    ),
]


@pytest.mark.parametrize(
    ("language", "section9", "deadline_text", "expected_result", "method", "owners"),
    [case[1:] for case in WHOLE_PATH],
    ids=[case[0] for case in WHOLE_PATH],
)
def test_inline_fields_are_split_into_their_fields(
    report_text: ReportBuilder,
    language: str,
    section9: str,
    deadline_text: str | None,
    expected_result: str | None,
    method: str | None,
    owners: tuple[str, ...],
) -> None:
    item = only_item(report_text, section9, language)
    assert fields(item) == {
        "deadline_text": deadline_text,
        "expected_result": expected_result,
        "method": method,
        "owners": owners,
    }
    assert item.title in {"Draft a concept", "Մշակել հայեցակարգ"}


def test_the_deadline_is_read_from_the_phrase_before_the_bracket(
    report_text: ReportBuilder,
) -> None:
    item = only_item(
        report_text,
        f"{HY_ITEM} (ակնկալվող\nարդյունք՝ ընդունված հայեցակարգ)",
        "hy",
    )
    assert item.deadline == date(2026, 12, 31)


# Brackets that are not fields stay where they are.
NOT_FIELDS = [
    ("hy-abbreviation", "hy", "1) Ուղարկել գրություն (ՀՀ ԿԱ)։\nԺամկետը՝ 2026 թ. 3-րդ եռամսյակ"),
    ("hy-years-in-a-title", "hy", "1) Մշակել 2025-2027 (2025-2027) ծրագիր։\nԺամկետը՝ Q3 2026"),
    ("en-years-in-a-title", "en", "1. Draft the (2025-2027) programme.\nDeadline: Q3 2026"),
    ("en-acronym", "en", "1. Write to the Ministry (MoE).\nDeadline: Q3 2026"),
    ("en-word-result-without-a-label", "en", "1. Measure the result (yearly).\nDeadline: Q3 2026"),
]


@pytest.mark.parametrize(
    ("language", "section9"),
    [case[1:] for case in NOT_FIELDS],
    ids=[case[0] for case in NOT_FIELDS],
)
def test_a_bracket_that_is_not_a_field_stays_in_the_text(
    report_text: ReportBuilder, language: str, section9: str
) -> None:
    item = only_item(report_text, section9, language)
    first_line = section9.split("\n")[0].split(" ", 1)[1]
    assert item.text == first_line
    assert (item.expected_result, item.method, item.owners) == (None, None, ())


@pytest.mark.parametrize(
    ("deadline", "language"),
    [
        (f"{HY_DEADLINE} (ներառյալ)", "hy"),
        ("by 31 December 2026 (inclusive)", "en"),
        ("Q3 2026 (subject to funding)", "en"),
    ],
)
def test_a_bracket_in_the_deadline_phrase_stays_in_it(
    report_text: ReportBuilder, deadline: str, language: str
) -> None:
    label = "Ժամկետը՝" if language == "hy" else "Deadline:"
    item = only_item(report_text, f"1. Draft a concept.\n{label} {deadline}", language)
    assert item.deadline_text == deadline
    assert item.expected_result is None


def test_a_word_table_cell_with_an_inline_field(make_docx_report: DocxReportBuilder) -> None:
    rows = [
        ("Առաջարկություն", "Ժամկետ", "Պատասխանատու"),
        (
            "Մշակել հայեցակարգ",
            f"{HY_DEADLINE} (ակնկալվող արդյունք՝ ընդունված հայեցակարգ)",
            "Ա. Սարգսյան",
        ),
    ]
    (item,) = parse_report(make_docx_report(rows), "report.docx").recommendations
    assert fields(item) == {
        "deadline_text": HY_DEADLINE,
        "expected_result": "ընդունված հայեցակարգ",
        "method": None,
        "owners": ("Ա. Սարգսյան",),
    }


# ---------------------------------------------------------------- through a PDF


@pytest.mark.parametrize("width", range(24, 72, 3))
def test_a_pdf_wrapping_the_bracket_anywhere_keeps_the_fields_apart(
    make_pdf: PdfBuilder, report_text: ReportBuilder, width: int
) -> None:
    section9 = (
        "1. Draft a concept.\n"
        "Deadline: by 31 December 2026 (expected result: an adopted concept; "
        "responsible: Ministry of Economy)"
    )
    pdf = make_pdf(report_text("en", section9=section9).split("\n\n"), width=width)
    (item,) = parse_report(pdf, "report.pdf").recommendations
    assert fields(item) == {
        "deadline_text": "by 31 December 2026",
        "expected_result": "an adopted concept",
        "method": None,
        "owners": ("Ministry of Economy",),
    }
    assert item.deadline == date(2026, 12, 31)


@pytest.mark.parametrize("width", range(40, 100, 4))
def test_a_hard_wrapped_armenian_text_keeps_the_fields_apart(
    report_text: ReportBuilder, width: int
) -> None:
    section9 = (
        f"1) Մշակել հայեցակարգ։\nԺամկետը՝ {HY_DEADLINE} (ակնկալվող արդյունք՝ ընդունված "
        "հայեցակարգ; պատասխանատու՝ էկոնոմիկայի նախարարություն)"
    )
    lines = [
        wrapped
        for line in report_text("hy", section9=section9).split("\n")
        for wrapped in textwrap.wrap(line, width) or [""]
    ]
    (item,) = parse_report("\n".join(lines).encode(), "report.txt").recommendations
    assert fields(item) == {
        "deadline_text": HY_DEADLINE,
        "expected_result": "ընդունված հայեցակարգ",
        "method": None,
        "owners": ("էկոնոմիկայի նախարարություն",),
    }


# ---------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("text", "own", "found"),
    [
        (
            "by 31 December 2026 (expected result: an adopted concept)",
            "by 31 December 2026",
            {"expected_result": "an adopted concept"},
        ),
        (
            f"{HY_DEADLINE} (ակնկալվող արդյունք՝ ընդունված հայեցակարգ)",
            HY_DEADLINE,
            {"expected_result": "ընդունված հայեցակարգ"},
        ),
        (
            "Draft it (method: working group; owner: Ministry of X)",
            "Draft it",
            {"method": "working group", "owners": "Ministry of X"},
        ),
        (
            "Draft it — responsible: A. Sargsyan — deadline: Q3 2026",
            "Draft it",
            {"owners": "A. Sargsyan", "deadline": "Q3 2026"},
        ),
        ("Q3 2026 (inclusive)", "Q3 2026 (inclusive)", {}),
        ("Ուղարկել ՀՀ ԿԱ (ՀՀ ԿԱ)", "Ուղարկել ՀՀ ԿԱ (ՀՀ ԿԱ)", {}),
    ],
)
def test_split_inline_fields(text: str, own: str, found: dict[str, str]) -> None:
    assert split_inline_fields(text) == (own, found)


@pytest.mark.parametrize(
    ("previous", "line", "joined"),
    [
        ("Q4 (expected", "result: a law)", "Q4 (expected result: a law)"),
        ("Q4 (ակնկալվող", "արդյունք՝ օրենք)", "Q4 (ակնկալվող արդյունք՝ օրենք)"),
        ("Q4 (expec-", "ted result: a law)", "Q4 (expected result: a law)"),
        ("Q4 (", "expected result: a law)", "Q4 ( expected result: a law)"),
        ("Q4 (կատարման", "ժամկետ՝ 2026)", "Q4 (կատարման ժամկետ՝ 2026)"),
        ("Q4 (a) expected", "result: a law", None),  # the bracket is closed
        ("Q4 (method: group;", "owner: X)", None),  # a new label, not the end of one
        ("Q4 (expected", "a law)", None),  # no label goes on
        ("Q4 expected", "result: a law", None),  # no open bracket
    ],
)
def test_rejoin_split_label(previous: str, line: str, joined: str | None) -> None:
    assert rejoin_split_label(previous, line) == joined


# ---------------------------------------------------------------- a property

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzաբգդեզէ", min_size=3, max_size=8).filter(
    lambda word: not re.fullmatch(r"results?|outcomes?|forms?|means|terms?|owners?|due", word)
)
_WORDS = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_LABELS = {
    "deadline": ("Deadline", "ժամկետը"),
    "owners": ("responsible", "պատասխանատու"),
    "method": ("method", "եղանակը"),
    "expected_result": ("expected result", "ակնկալվող արդյունք"),
}


@st.composite
def _item_with_fields(draw: st.DrawFn) -> tuple[str, list[str]]:
    keys = draw(st.lists(st.sampled_from(sorted(_LABELS)), unique=True, max_size=4))
    own = draw(_WORDS)
    parts = [own]
    values = []
    for key in keys:
        label = draw(st.sampled_from(_LABELS[key]))
        separator = "՝" if label[0] >= "\u0531" else ":"
        opening = draw(st.sampled_from([" (", " - ", " — ", "; ", ", "]))
        value = draw(_WORDS)
        values.append(value)
        parts.append(f"{opening}{label}{separator} {value}{')' if opening == ' (' else ''}")
    return "".join(parts), [own, *values]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_item_with_fields())
def test_splitting_never_loses_a_word(case: tuple[str, list[str]]) -> None:
    text, pieces = case
    own, found = split_inline_fields(text)
    kept = " ".join([own, *found.values()]).split()
    for piece in pieces:
        for word in piece.split():
            assert word in kept
