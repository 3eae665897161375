"""Reporting periods: pure, checked with small cases and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.reporting.periods import PERIOD_KINDS, Period, PeriodKind

days = st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31))
kinds = st.sampled_from(PERIOD_KINDS)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "key"),
    [
        ("month", date(2026, 11, 26), date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("month", date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        ("quarter", date(2026, 11, 26), date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("quarter", date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("quarter", date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30), "2026-Q2"),
        ("year", date(2026, 7, 4), date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_the_period_containing_a_day(
    kind: PeriodKind, day: date, start: date, end: date, key: str
) -> None:
    period = Period.containing(kind, day)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert day in period


@pytest.mark.parametrize(
    ("key", "previous"),
    [("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"), ("2026", "2025")],
)
def test_the_previous_period_is_the_one_just_before(key: str, previous: str) -> None:
    period = Period.parse(key)
    assert period is not None
    assert period.previous().key == previous
    assert period.previous().following() == period


@pytest.mark.parametrize(
    "key",
    [
        *("", "26", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-1", "2026-10-01", "x"),
        *("0000", "0001-01", "1900-Q4", "9999", "9999-12", "9999-Q4"),
    ],
)
def test_a_key_that_names_no_period_parses_to_none(key: str) -> None:
    assert Period.parse(key) is None


def test_a_key_may_carry_spaces_around_it() -> None:
    assert Period.parse(" 2026-Q2 ") == Period.containing("quarter", date(2026, 4, 1))


def test_only_dates_are_in_a_period() -> None:
    assert "2026-11-26" not in Period.containing("month", date(2026, 11, 26))


@given(kinds, days)
def test_every_day_lies_in_its_period_and_the_key_names_it(kind: PeriodKind, day: date) -> None:
    period = Period.containing(kind, day)
    assert period.start <= day <= period.end
    assert Period.parse(period.key) == period
    assert Period.containing(kind, period.start) == period == Period.containing(kind, period.end)


@given(kinds, st.dates(min_value=date(1901, 2, 1), max_value=date(9998, 11, 30)))
def test_periods_follow_each_other_without_gap(kind: PeriodKind, day: date) -> None:
    period = Period.containing(kind, day)
    assert period.previous().end + timedelta(days=1) == period.start
    assert period.following().start - timedelta(days=1) == period.end
    assert period.previous() < period < period.following()
