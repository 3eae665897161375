"""Working days in Armenia: weekends and public holidays (from the `holidays` package).

Pure functions, no Flask and no database: the deadline parser and the notification
policy both count working days with them. Every date of the calendar (years 1 to 9999)
works: weekdays are counted arithmetically, and holidays only exist in the years the
`holidays` package knows for Armenia, so no count ever walks year by year from a fixed
origin.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache, lru_cache

import holidays

COUNTRY = "AM"
_CALENDAR = holidays.country_holidays(COUNTRY).__class__
# The years in which the package gives Armenian holidays (1991-2100 today); before and
# after them only weekends are days off, so no per-year table is built for those years.
FIRST_HOLIDAY_YEAR = max(MINYEAR, int(getattr(_CALENDAR, "start_year", MINYEAR)))
LAST_HOLIDAY_YEAR = min(MAXYEAR, int(getattr(_CALENDAR, "end_year", MAXYEAR)))


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    if not FIRST_HOLIDAY_YEAR <= year <= LAST_HOLIDAY_YEAR:
        return frozenset()
    return frozenset(holidays.country_holidays(COUNTRY, years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def _step(day: date, step: int) -> date:
    try:
        return day + timedelta(days=step)
    except OverflowError:
        raise OverflowError(f"no working day {'after' if step > 0 else 'before'} {day}") from None


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start` (before it when `count` is negative).

    `start` itself is not counted, so `add_working_days(friday, 1)` is the next Monday
    (or the first working day after it). OverflowError when that runs past year 9999 (or
    before year 1).
    """
    step = 1 if count >= 0 else -1
    day = start
    remaining = abs(count)
    while remaining:
        day = _step(day, step)
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day = _step(day, 1)
    return day


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@cache
def _weekday_holidays(year: int) -> tuple[int, ...]:
    """The ordinals of the holidays of `year` that fall on a weekday, in order."""
    return tuple(sorted(day.toordinal() for day in _holidays_of(year) if day.weekday() < 5))


@cache
def _weekday_holidays_before_year(year: int) -> int:
    """Weekday holidays before 1 January of `year` (a loop over at most the package's years)."""
    last = min(year - 1, LAST_HOLIDAY_YEAR)
    return sum(len(_weekday_holidays(y)) for y in range(FIRST_HOLIDAY_YEAR, last + 1))


def _working_days_through(day: date) -> int:
    holidays_through = _weekday_holidays_before_year(day.year) + bisect_right(
        _weekday_holidays(day.year), day.toordinal()
    )
    return _weekdays_through(day) - holidays_through


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range (start, end]; negative when end < start.

    Weekdays counted arithmetically, minus the weekday holidays from cached per-year
    tables: the planner asks this for every overdue task, whatever its deadline's year.
    """
    return _working_days_through(end) - _working_days_through(start)
