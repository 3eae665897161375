"""Section 3 (place and dates of the trip) and Section 10 (signature and date)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tracker.reports.parsing import parse_report, parse_trip_dates

ReportBuilder = Callable[..., str]


RANGES = [
    (
        "hy-days-then-year",
        "Թբիլիսի, հուլիսի 10-12-ը, 2024 թ.",
        date(2024, 7, 10),
        date(2024, 7, 12),
    ),
    ("hy-year-first", "Վիլնյուս, 2025 թվականի փետրվարի 3-5-ը", date(2025, 2, 3), date(2025, 2, 5)),
    ("hy-single-day", "Երևան, 2025 թ. հունիսի 2-ին", date(2025, 6, 2), date(2025, 6, 2)),
    (
        "hy-across-months",
        "Բրյուսել, 2025 թ. հունիսի 28-ից հուլիսի 2-ը",
        date(2025, 6, 28),
        date(2025, 7, 2),
    ),
    ("hy-from-to", "Բրյուսել, 2025 թ. հունիսի 28-ից 30-ը", date(2025, 6, 28), date(2025, 6, 30)),
    ("hy-en-dash", "Լիոն, 2025 թ. սեպտեմբերի 15–19-ը", date(2025, 9, 15), date(2025, 9, 19)),
    ("en-days-month-year", "Chisinau, 12-14 May 2025", date(2025, 5, 12), date(2025, 5, 14)),
    ("en-month-days-year", "Rome, May 12-14, 2025", date(2025, 5, 12), date(2025, 5, 14)),
    ("en-across-months", "Paris, 30 June – 2 July 2025", date(2025, 6, 30), date(2025, 7, 2)),
    (
        "en-across-years",
        "Paris, December 30 - January 3, 2025",
        date(2024, 12, 30),
        date(2025, 1, 3),
    ),
    ("en-from-to", "Rome, from 12 to 14 May 2025", date(2025, 5, 12), date(2025, 5, 14)),
    ("en-single-day", "Rome, 12 May 2025", date(2025, 5, 12), date(2025, 5, 12)),
    ("dotted-range", "Rome, 12.05.2025 - 14.05.2025", date(2025, 5, 12), date(2025, 5, 14)),
    ("dotted-days-range", "Rome, 12-14.05.2025", date(2025, 5, 12), date(2025, 5, 14)),
    ("on-its-own-line", "Rome\n12-14 May 2025", date(2025, 5, 12), date(2025, 5, 14)),
]


@pytest.mark.parametrize(
    ("text", "start", "end"), [case[1:] for case in RANGES], ids=[case[0] for case in RANGES]
)
def test_trip_range(text: str, start: date, end: date) -> None:
    trip = parse_trip_dates(text)
    assert (trip.start, trip.end, trip.warning) == (start, end, None)


def test_a_day_without_a_year_takes_the_signing_year_with_a_warning() -> None:
    trip = parse_trip_dates("Հռոմ, հուլիսի 11-ին", fallback_year=2025)
    assert trip.start == trip.end == date(2025, 7, 11)
    assert trip.warning is not None and "2025" in trip.warning


@pytest.mark.parametrize("text", ["Rome", "Rome, 31-33 May 2025", "Rome, 14-12 May 2025"], ids=str)
def test_unreadable_trip_dates_give_none_and_a_warning(text: str) -> None:
    trip = parse_trip_dates(text)
    assert (trip.start, trip.end) == (None, None)
    assert trip.warning


def test_the_destination_is_section_3_without_its_dates(report_text: ReportBuilder) -> None:
    text = report_text("en", section3="Republic of Moldova, Chisinau, from 12 to 14 May 2025")
    report = parse_report(text.encode(), "report.txt")
    assert report.destination == "Republic of Moldova, Chisinau"
    assert (report.trip_start, report.trip_end) == (date(2025, 5, 12), date(2025, 5, 14))


def test_missing_trip_dates_become_a_warning(report_text: ReportBuilder) -> None:
    report = parse_report(report_text(section3="Վիլնյուս").encode(), "report.txt")
    assert report.trip_start is None and report.trip_end is None
    assert report.destination == "Վիլնյուս"
    assert any("Section 3" in warning for warning in report.warnings)


SIGNATURES = [
    ("hy-dotted-t", "Ա. Սարգսյան\n10.02.2025թ.", "Ա. Սարգսյան", date(2025, 2, 10)),
    ("hy-one-dot-leader", "Ա. Սարգսյան\n10.02.2025թ․", "Ա. Սարգսյան", date(2025, 2, 10)),
    ("same-line", "Ա. Սարգսյան 10.02.2025", "Ա. Սարգսյան", date(2025, 2, 10)),
    ("date-first", "10.02.2025\nԱ. Սարգսյան", "Ա. Սարգսյան", date(2025, 2, 10)),
    ("written-date", "Ա. Սարգսյան\n2025 թ. փետրվարի 10", "Ա. Սարգսյան", date(2025, 2, 10)),
    ("signature-line", "_____________ /Ա. Սարգսյան/\n10.02.2025", "Ա. Սարգսյան", date(2025, 2, 10)),
    (
        "name-starting-like-a-label",
        "Datevik Hakobyan\n20.05.2025",
        "Datevik Hakobyan",
        date(2025, 5, 20),
    ),
    (
        "labels",
        "Ստորագրություն՝ Ա. Սարգսյան\nԱմսաթիվ՝ 10.02.2025",
        "Ա. Սարգսյան",
        date(2025, 2, 10),
    ),
]


@pytest.mark.parametrize(
    ("section10", "signatory", "signed_on"),
    [case[1:] for case in SIGNATURES],
    ids=[case[0] for case in SIGNATURES],
)
def test_signature_and_date(
    report_text: ReportBuilder, section10: str, signatory: str, signed_on: date
) -> None:
    report = parse_report(report_text(section10=section10).encode(), "report.txt")
    assert (report.signatory, report.signed_on) == (signatory, signed_on)


def test_missing_signing_date_warns_and_relative_deadlines_stay_open(
    report_text: ReportBuilder,
) -> None:
    text = report_text(
        section9="1) Մշակել հայեցակարգ։\nԺամկետը՝ մեկ ամսվա ընթացքում\nՊատասխանատու՝ Անի Սարգսյան",
        section10="Ա. Սարգսյան",
    )
    report = parse_report(text.encode(), "report.txt")
    assert report.signed_on is None
    assert report.recommendations[0].deadline is None
    assert report.recommendations[0].deadline_text == "մեկ ամսվա ընթացքում"
    assert any("signing date" in warning for warning in report.warnings)
