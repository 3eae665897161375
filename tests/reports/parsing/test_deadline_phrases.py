"""Deadline phrases as written in Section 9, each to a date (or knowingly to none)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.reports.parsing import parse_deadline

SIGNED = date(2025, 2, 10)  # a Monday; 2025-02-21 and 2025-02-24 are ordinary working days

DATED = [
    ("hy-until-genitive", "մինչև 2025 թվականի մարտի 31-ը", date(2025, 3, 31)),
    ("hy-until-armenian-full-stop", "մինչև 2025 թվականի մարտի 31-ը։", date(2025, 3, 31)),
    ("hy-until-ascii-colon", "մինչև 2025 թվականի մարտի 31-ը:", date(2025, 3, 31)),
    ("hy-until-ew-spelling", "մինչեւ 2025 թ. մարտի 31-ը", date(2025, 3, 31)),
    ("hy-year-t-dot", "2025 թ. մարտի 31", date(2025, 3, 31)),
    ("hy-year-t-one-dot-leader", "մինչև 2025 թ․ մարտի 31-ը", date(2025, 3, 31)),
    ("hy-year-t-glued", "2025թ. ապրիլի 30-ին", date(2025, 4, 30)),
    ("hy-suffix-ic", "2025 թ. հունիսի 1-ից", date(2025, 6, 1)),
    ("hy-suffix-n", "2025 թ. հունիսի 1-ն", date(2025, 6, 1)),
    ("hy-suffix-i", "2025 թ. հունիսի 10-ի", date(2025, 6, 10)),
    ("hy-nominative-month", "2025 թ. մարտ 31", date(2025, 3, 31)),
    ("hy-day-month-year", "մարտի 31-ը, 2025 թ.", date(2025, 3, 31)),
    ("hy-every-month-december", "2025 թվականի դեկտեմբերի 20-ը", date(2025, 12, 20)),
    ("dotted", "31.03.2025", date(2025, 3, 31)),
    ("dotted-with-t", "31.03.2025թ.", date(2025, 3, 31)),
    ("slashed", "31/03/2025", date(2025, 3, 31)),
    ("iso", "2025-03-31", date(2025, 3, 31)),
    ("hy-quarter-roman", "2025թ. II եռամսյակ", date(2025, 6, 30)),
    ("hy-quarter-ordinal-number", "2025 թ. 4-րդ եռամսյակ", date(2025, 12, 31)),
    ("hy-quarter-first", "2025 թ. 1-ին եռամսյակ", date(2025, 3, 31)),
    ("hy-quarter-word", "2025 թվականի երրորդ եռամսյակ", date(2025, 9, 30)),
    ("hy-quarter-year-after", "III եռամսյակ, 2026 թ.", date(2026, 9, 30)),
    ("en-q4", "Q4 2025", date(2025, 12, 31)),
    ("en-year-q", "2025 Q1", date(2025, 3, 31)),
    ("en-4th-quarter", "4th quarter of 2025", date(2025, 12, 31)),
    ("en-second-quarter", "by the second quarter of 2025", date(2025, 6, 30)),
    ("hy-first-half", "2025թ. առաջին կիսամյակ", date(2025, 6, 30)),
    ("hy-second-half", "2025 թ. երկրորդ կիսամյակ", date(2025, 12, 31)),
    ("en-first-half", "first half of 2026", date(2026, 6, 30)),
    ("en-h2", "H2 2025", date(2025, 12, 31)),
    ("hy-during-year", "2025 թվականի ընթացքում", date(2025, 12, 31)),
    ("hy-year-end", "մինչև 2025 թ. վերջը", date(2025, 12, 31)),
    ("en-end-of-year", "by the end of 2025", date(2025, 12, 31)),
    ("en-during-year", "during 2026", date(2026, 12, 31)),
    ("hy-current-year-end", "մինչև տարեվերջ", date(2025, 12, 31)),
    ("en-current-year-end", "by the end of the year", date(2025, 12, 31)),
    ("hy-month-and-year", "2025 թ. մայիս", date(2025, 5, 31)),
    ("en-end-of-month", "end of May 2025", date(2025, 5, 31)),
    ("year-only", "2026 թ.", date(2026, 12, 31)),
    ("year-range", "2025-2026 թթ.", date(2026, 12, 31)),
    ("en-by-day-month-year", "by 30 September 2025", date(2025, 9, 30)),
    ("en-month-day-year", "September 30, 2025", date(2025, 9, 30)),
    ("en-ordinal-day", "by the 30th of September 2025", date(2025, 9, 30)),
    ("en-abbreviated-month", "30 Sept. 2025", date(2025, 9, 30)),
    ("hy-three-month-term", "եռամսյա ժամկետում", date(2025, 5, 10)),
    ("hy-six-month-term", "վեցամսյա ժամկետում", date(2025, 8, 10)),
    ("hy-half-year-term", "կիսամյա ժամկետում", date(2025, 8, 10)),
    ("hy-three-months", "երեք ամսվա ընթացքում", date(2025, 5, 10)),
    ("hy-one-month", "մեկ ամսվա ընթացքում", date(2025, 3, 10)),
    ("hy-ten-working-days", "10 աշխատանքային օրվա ընթացքում", date(2025, 2, 24)),
    ("hy-fifteen-days", "15 օրվա ընթացքում", date(2025, 2, 25)),
    ("hy-fifteen-days-words", "տասնհինգ օրվա ընթացքում", date(2025, 2, 25)),
    ("hy-two-weeks", "երկու շաբաթվա ընթացքում", date(2025, 2, 24)),
    ("hy-number-restated", "1 (մեկ) ամսվա ընթացքում", date(2025, 3, 10)),
    ("en-within-one-month", "within one month", date(2025, 3, 10)),
    ("en-within-a-month", "within a month", date(2025, 3, 10)),
    ("en-within-ten-working-days", "within 10 working days", date(2025, 2, 24)),
    ("en-within-business-days", "within five business days", date(2025, 2, 17)),
    ("en-within-two-weeks", "within two weeks", date(2025, 2, 24)),
    ("en-within-thirty-days", "within 30 days", date(2025, 3, 12)),
    ("en-within-a-year", "within a year", date(2026, 2, 10)),
]


@pytest.mark.parametrize(
    ("phrase", "expected"), [case[1:] for case in DATED], ids=[case[0] for case in DATED]
)
def test_dated_phrase(phrase: str, expected: date) -> None:
    parse = parse_deadline(phrase, signed_on=SIGNED)
    assert parse.deadline == expected
    assert parse.warning is None
    assert parse.ongoing is False


def test_a_month_counts_to_the_same_day_or_the_last_day_of_a_shorter_month() -> None:
    assert parse_deadline("within one month", signed_on=date(2025, 1, 31)).deadline == date(
        2025, 2, 28
    )
    assert parse_deadline("within one month", signed_on=date(2025, 5, 20)).deadline == date(
        2025, 6, 20
    )


def test_working_days_skip_armenian_public_holidays() -> None:
    # Monday 27 January 2025; Tuesday 28 January is Army Day.
    parse = parse_deadline("1 աշխատանքային օրվա ընթացքում", signed_on=date(2025, 1, 27))
    assert parse.deadline == date(2025, 1, 29)
    # 1 and 2 January are New Year's Day; Friday 3 January is the first working day.
    parse = parse_deadline("within 1 working day", signed_on=date(2024, 12, 31))
    assert parse.deadline == date(2025, 1, 3)


ONGOING = [
    ("hy-permanently", "մշտապես"),
    ("hy-current", "ընթացիկ"),
    ("hy-periodically", "պարբերաբար"),
    ("hy-continuously", "շարունակաբար"),
    ("en-ongoing", "ongoing"),
    ("en-continuously", "continuously"),
    ("en-regularly", "Regularly"),
]


@pytest.mark.parametrize("phrase", [case[1] for case in ONGOING], ids=[case[0] for case in ONGOING])
def test_ongoing_phrase_has_no_date_and_no_warning(phrase: str) -> None:
    parse = parse_deadline(phrase, signed_on=SIGNED)
    assert parse.deadline is None
    assert parse.ongoing is True
    assert parse.warning is None


UNCLEAR = [
    ("not-a-date", "երբ հնարավոր լինի"),
    ("en-soon", "as soon as possible"),
    ("impossible-day", "31.02.2025"),
    ("impossible-written-day", "2025 թ. փետրվարի 30-ը"),
    ("quarter-without-year", "II եռամսյակ"),
    ("day-without-year", "մինչև մարտի 31-ը"),
    ("half-of-three", "third half of 2025"),
]


@pytest.mark.parametrize("phrase", [case[1] for case in UNCLEAR], ids=[case[0] for case in UNCLEAR])
def test_unclear_phrase_gives_no_date_and_a_warning_naming_it(phrase: str) -> None:
    parse = parse_deadline(phrase, signed_on=SIGNED)
    assert parse.deadline is None
    assert parse.warning is not None
    assert phrase in parse.warning


@pytest.mark.parametrize(
    "phrase", ["եռամսյա ժամկետում", "within one month", "մինչև տարեվերջ"], ids=str
)
def test_relative_phrase_without_signing_date_warns(phrase: str) -> None:
    parse = parse_deadline(phrase, signed_on=None)
    assert parse.deadline is None
    assert "signing date" in (parse.warning or "")


def test_absolute_phrase_needs_no_signing_date() -> None:
    assert parse_deadline("Q4 2025", signed_on=None).deadline == date(2025, 12, 31)


def test_deadline_before_the_signing_date_is_kept_but_flagged() -> None:
    parse = parse_deadline("մինչև 2024 թ. մարտի 31", signed_on=SIGNED)
    assert parse.deadline == date(2024, 3, 31)
    assert "before the report was signed" in (parse.warning or "")


def test_several_dates_take_the_latest_with_a_warning() -> None:
    parse = parse_deadline("01.03.2025, 01.06.2025", signed_on=SIGNED)
    assert parse.deadline == date(2025, 6, 1)
    assert parse.warning is not None


def test_empty_phrase_is_no_deadline_without_warning() -> None:
    parse = parse_deadline("   ", signed_on=SIGNED)
    assert (parse.deadline, parse.ongoing, parse.warning) == (None, False, None)
