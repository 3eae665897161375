from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)


def slow_count(start: date, end: date) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sign * sum(1 for day in days if is_working_day(day))


@given(
    st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=-800, max_value=800),
)
def test_the_cached_count_equals_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    assert working_days_between(start, end) == slow_count(start, end)


def test_known_armenian_calendar_facts() -> None:
    assert not is_working_day(date(2025, 1, 6))  # Christmas
    assert not is_working_day(date(2025, 4, 24))  # Remembrance Day
    assert not is_working_day(date(2025, 3, 29))  # a Saturday
    assert is_working_day(date(2025, 3, 31))
    assert add_working_days(date(2025, 4, 23), 1) == date(2025, 4, 25)
    assert add_working_days(date(2025, 1, 3), -1) == date(2024, 12, 30)  # 31 Dec is a holiday
    assert next_working_day(date(2025, 5, 9)) == date(2025, 5, 12)
    assert working_days_between(date(2025, 3, 26), date(2025, 3, 31)) == 3
    assert working_days_between(date(2025, 3, 31), date(2025, 3, 26)) == -3


# ---------------------------------------------------------------- against naive counting
# The reference below asks the `holidays` package directly and walks one day at a time, so
# it shares nothing with the module's arithmetic and per-year tables.

_REFERENCE_HOLIDAYS: dict[int, frozenset[date]] = {}


def naive_is_working_day(day: date) -> bool:
    if day.year not in _REFERENCE_HOLIDAYS:
        _REFERENCE_HOLIDAYS[day.year] = frozenset(holidays.country_holidays("AM", years=day.year))
    return day.weekday() < 5 and day not in _REFERENCE_HOLIDAYS[day.year]


def naive_count(start: date, end: date) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sign * sum(1 for day in days if naive_is_working_day(day))


def naive_add(start: date, count: int) -> date:
    step = timedelta(days=1 if count >= 0 else -1)
    day = start
    for _ in range(abs(count)):
        day += step
        while not naive_is_working_day(day):
            day += step
    return day


def naive_next(day: date) -> date:
    while not naive_is_working_day(day):
        day += timedelta(days=1)
    return day


CENTURY = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


# The reference walks up to a century one day at a time: slow by design, so no deadline.
@settings(deadline=None, max_examples=50)
@given(CENTURY, CENTURY)
def test_working_days_between_equals_naive_counting(start: date, end: date) -> None:
    assert working_days_between(start, end) == naive_count(start, end)


@settings(deadline=None)
@given(CENTURY, st.integers(min_value=-400, max_value=400))
def test_add_working_days_equals_naive_stepping(start: date, count: int) -> None:
    result = add_working_days(start, count)
    assert result == naive_add(start, count)
    if count >= 0:  # both count (start, result]; backwards, the day counted differs
        assert working_days_between(start, result) == count


@settings(deadline=None)
@given(CENTURY)
def test_next_working_day_equals_naive_stepping(day: date) -> None:
    result = next_working_day(day)
    assert result == naive_next(day)
    assert naive_is_working_day(result)
    assert all(
        not naive_is_working_day(day + timedelta(days=n)) for n in range((result - day).days)
    )


# ---------------------------------------------------------------- the whole calendar


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(202, 11, 20), date(2025, 6, 2)),  # a deadline typed with a short year
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(9999, 12, 31), date(1, 1, 1)),
        (date(1990, 12, 20), date(1991, 1, 10)),  # where the holiday tables begin
        (date(2100, 12, 20), date(2101, 1, 10)),  # and end
    ],
)
def test_any_year_of_the_calendar_is_counted_without_recursion(start: date, end: date) -> None:
    # Far apart: weekdays counted arithmetically; holidays exist only in the package's years.
    assert working_days_between(start, end) == -working_days_between(end, start)
    if abs((end - start).days) < 40_000:
        assert working_days_between(start, end) == naive_count(start, end)


@settings(deadline=None)
@given(st.dates(), st.dates())
def test_any_two_dates_are_counted_consistently(start: date, end: date) -> None:
    middle = start + (end - start) / 2
    assert working_days_between(start, end) == (
        working_days_between(start, middle) + working_days_between(middle, end)
    )


def test_the_calendar_edges_refuse_cleanly() -> None:
    assert next_working_day(date(9999, 12, 31)) == date(9999, 12, 31)  # a Friday
    with pytest.raises(OverflowError, match="no working day after 9999-12-31"):
        add_working_days(date(9999, 12, 31), 1)
    with pytest.raises(OverflowError, match="no working day before 0001-01-01"):
        add_working_days(date(1, 1, 1), -1)


# ---------------------------------------------------------------- the calendar, read alone
# workdays reads the Armenian module of `holidays` on its own (the package's country_holidays
# imports all 250 countries): it must give what country_holidays gives, every year.


def test_the_calendar_read_alone_is_the_packages() -> None:
    from tracker.workdays import _calendar, holiday_years

    package = type(holidays.country_holidays("AM"))
    assert holiday_years() == (package.start_year, package.end_year)
    for year in range(package.start_year - 1, package.end_year + 2):
        assert set(_calendar()(years=year)) == set(holidays.country_holidays("AM", years=year)), (
            year
        )
