"""Working days in Armenia: weekends and public holidays (from the `holidays` package).

Pure functions, no Flask and no database: the deadline parser and the notification
policy both count working days with them. Every date of the calendar (years 1 to 9999)
works: weekdays are counted arithmetically, and holidays only exist in the years the
`holidays` package knows for Armenia, so no count ever walks year by year from a fixed
origin.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import cache, lru_cache
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

COUNTRY = "AM"
# The country's module inside the `holidays` package, and its calendar class.
_COUNTRY_MODULE = "armenia"
_COUNTRY_CLASS = "Armenia"


@cache
def _calendar() -> type[HolidayBase]:
    """Armenia's holiday calendar, imported on the first question a weekend cannot answer.

    `holidays.country_holidays("AM")` imports the package's `countries` module, which imports
    all of its 250 countries (a quarter of a second; `tracker remind` on a working day asked
    for one). So the Armenian module is read on its own from the package; it imports only the
    package's core. tests/test_workdays.py checks it gives what `country_holidays` gives.
    """
    import holidays

    path = Path(holidays.__file__).parent / "countries" / f"{_COUNTRY_MODULE}.py"
    spec = spec_from_file_location(f"{__name__}._{_COUNTRY_MODULE}", path)
    if not path.is_file() or spec is None or spec.loader is None:
        # The package moved its countries: ask it, the slow way.
        return type(holidays.country_holidays(COUNTRY))
    module = module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    calendar: type[HolidayBase] = getattr(module, _COUNTRY_CLASS)
    return calendar


@cache
def holiday_years() -> tuple[int, int]:
    """The first and last years in which the package gives Armenian holidays (1991-2100
    today); before and after them only weekends are days off, so no per-year table is built
    for those years."""
    calendar = _calendar()
    first = max(MINYEAR, int(getattr(calendar, "start_year", MINYEAR)))
    last = min(MAXYEAR, int(getattr(calendar, "end_year", MAXYEAR)))
    return first, last


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    first, last = holiday_years()
    if not first <= year <= last:
        return frozenset()
    return frozenset(_calendar()(years=year).keys())


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
    first, last = holiday_years()
    return sum(len(_weekday_holidays(y)) for y in range(first, min(year - 1, last) + 1))


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
