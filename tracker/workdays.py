"""Working days in Armenia: weekends and public holidays (from the `holidays` package).

Pure functions, no Flask and no database: the deadline parser and the notification
policy both count working days with them.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "AM"


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(COUNTRY, years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (before it when `count` is negative).

    `start` itself is not counted, so `add_working_days(friday, 1)` is the next Monday
    (or the first working day after it).
    """
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def _cumulative_in_year(year: int) -> tuple[int, ...]:
    """Working days from 1 January up to and including each day of the year."""
    counts = []
    total = 0
    day = date(year, 1, 1)
    while day.year == year:
        total += is_working_day(day)
        counts.append(total)
        day += timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=256)
def _before_year(year: int) -> int:
    """Working days before 1 January of `year`, counted from 1 January 2000 (negative before)."""
    if year == 2000:
        return 0
    if year > 2000:
        return _before_year(year - 1) + _cumulative_in_year(year - 1)[-1]
    return _before_year(year + 1) - _cumulative_in_year(year)[-1]


def _working_days_through(day: date) -> int:
    return _before_year(day.year) + _cumulative_in_year(day.year)[day.timetuple().tm_yday - 1]


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range (start, end]; negative when end < start.

    Counted from cached per-year tables: the planner asks this for every overdue task.
    """
    return _working_days_through(end) - _working_days_through(start)
