"""The dates of the trip, from Section 3: a range in any of the ways reports write one
("12-14 May 2025", "2025 թվականի փետրվարի 3-5-ը", "30 December 2024 - 3 January 2025"),
else a single full date, else a day and month with the year of the text or of the signing
date (with a warning saying so).

Pure functions: text in, dates out, and a warning instead of a guess when the text is unclear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .blocks import fold
from .errors import ParseWarning
from .full_dates import (
    FLAGS,
    GAP,
    NUMERIC_DATE,
    YEARLESS_DATES,
    day_group,
    find_dates,
    make_date,
    month_group,
    month_of,
    year_group,
    year_of,
    years_in,
)
from .vocabulary import YEAR_WORD

# Dates are looked for in this much of Section 3 (a place and two dates take a line or two):
# every pattern runs in linear time, and the cap keeps a hostile file's megabyte-long field
# from costing seconds.
TRIP_TEXT_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class TripDates:
    start: date | None
    end: date | None
    # Where the dates were written, so the rest of Section 3 can be read as the destination.
    span: tuple[int, int] | None = None
    warning: str | None = None


_RANGE_SEPARATOR = r"(?:(?<=ից)\s|\s?(?:-|to|until|till|through|մինչև|մինչեւ)\s?)"

_TRIP_RANGES = tuple(
    re.compile(pattern, FLAGS)
    for pattern in (
        # 12.05.2025 - 14.05.2025, 12-14.05.2025, 12.05-14.05.2025
        r"(?<![\d.])(?P<d1>\d{1,2})(?:[./](?P<m1>\d{1,2}))?(?:[./](?P<y1>\d{4}))?"
        + YEAR_WORD
        + "?"
        + _RANGE_SEPARATOR
        + NUMERIC_DATE.format(d="d2", m="m2", y="y2"),
        # 2025 թվականի փետրվարի 3-5-ը, հուլիսի 10-12-ը, 2024 թ., May 12-14, 2025,
        # հունիսի 28-ից հուլիսի 2-ը
        rf"(?:{year_group('y0')}{GAP})?{month_group('m1')}\s?{day_group('d1')}"
        rf"(?:{GAP}{year_group('y1')})?"
        rf"{_RANGE_SEPARATOR}(?:{month_group('m2')}\s?)?{day_group('d2')}"
        rf"(?:{GAP}{year_group('y2')})?",
        # 12-14 May 2025, 30 June - 2 July 2025, 30 December 2024 - 3 January 2025
        rf"(?:{year_group('y0')}{GAP})?{day_group('d1')}"
        rf"(?:\s(?:of\s)?{month_group('m1')}(?:{GAP}{year_group('y1')})?)?"
        rf"{_RANGE_SEPARATOR}{day_group('d2')}\s(?:of\s)?{month_group('m2')}"
        rf"(?:{GAP}{year_group('y2')})?",
    )
)


def parse_trip_dates(text: str, *, fallback_year: int | None = None) -> TripDates:
    """The first and last day of the trip, from the text of Section 3."""
    text = text[:TRIP_TEXT_MAX_CHARS]
    folded = fold(text)
    years_in_text = years_in(folded)
    only_year = years_in_text[0] if len(years_in_text) == 1 else None
    for pattern in _TRIP_RANGES:
        for match in pattern.finditer(folded):
            trip = _trip_from_range(match, only_year)
            if trip is not None:
                return trip
    mention = next((item for item in find_dates(text) if item.day), None)
    if mention is not None:
        return TripDates(mention.day, mention.day, (mention.start, mention.end))
    if only_year is not None:
        return _yearless_trip_day(text, only_year, assumed=False)
    return _yearless_trip_day(text, fallback_year, assumed=True)


def _trip_from_range(match: re.Match[str], only_year: int | None) -> TripDates | None:
    groups = match.groupdict()
    span = (match.start(), match.end())
    first_year, last_year = _range_years(groups, only_year)
    if first_year is None or last_year is None:
        return TripDates(None, None, span, ParseWarning("trip_no_year", text=match[0]))
    first_month, last_month = _range_months(groups)
    start = make_date(first_year, first_month, int(match["d1"]))
    end = make_date(last_year, last_month, int(match["d2"]))
    if start is None or end is None:
        return TripDates(None, None, span, ParseWarning("trip_range_not_real", text=match[0]))
    start = _start_across_new_year(start, end, groups)
    if start is None or start > end:
        return TripDates(None, None, span, ParseWarning("trip_range_backwards", text=match[0]))
    return TripDates(start, end, span)


def _range_years(
    groups: dict[str, str | None], only_year: int | None
) -> tuple[int | None, int | None]:
    """The years of both ends: a year written once serves both, else the text's only year."""
    first_year = year_of(groups.get("y1")) or year_of(groups.get("y0"))
    last_year = year_of(groups.get("y2")) or first_year
    first_year = first_year or last_year or only_year
    last_year = last_year or first_year
    return first_year, last_year


def _range_months(groups: dict[str, str | None]) -> tuple[int | None, int | None]:
    """The months of both ends: a month written once ("12-14 May") serves both."""
    first_month = month_of(groups.get("m1")) or month_of(groups.get("m2"))
    last_month = month_of(groups.get("m2")) or first_month
    return first_month, last_month


def _start_across_new_year(start: date, end: date, groups: dict[str, str | None]) -> date | None:
    """A range such as "30 December - 3 January 2025": the one year written is the end's."""
    only_end_year = groups.get("y1") is None and groups.get("y0") is None
    if start > end and only_end_year and start.month > end.month:
        return make_date(start.year - 1, start.month, start.day)
    return start


def _yearless_trip_day(text: str, year: int | None, *, assumed: bool) -> TripDates:
    folded = fold(text)
    for pattern in YEARLESS_DATES:
        match = pattern.search(folded)
        if match is None:
            continue
        span = (match.start(), match.end())
        day = make_date(year, month_of(match["m"]), int(match["d"]))
        if day is None:
            return TripDates(None, None, span, ParseWarning("trip_no_year", text=match[0]))
        if not assumed:
            return TripDates(day, day, span)
        warning = ParseWarning("trip_year_assumed", text=match[0], year=str(year))
        return TripDates(day, day, span, warning)
    return TripDates(None, None, None, ParseWarning("trip_dates_missing"))
