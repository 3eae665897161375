"""Dates as Armenian and English trip reports write them.

Trip date ranges (Section 3), the signing date (Section 10) and deadline phrases (Section 9).
Pure functions: text in, dates out, and a warning instead of a guess when the text is unclear.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.workdays import add_working_days

from .blocks import fold
from .vocabulary import (
    DAY_SUFFIX,
    MONTH,
    NUMBER,
    YEAR,
    YEAR_WORD,
    month_number,
    number_value,
)

_FLAGS = re.IGNORECASE
# Dates are looked for in this much of Section 3 (a place and two dates take a line or two),
# and a deadline phrase longer than this is not read: every pattern below runs in linear
# time, and the caps keep a hostile file's megabyte-long field from costing seconds.
TRIP_TEXT_MAX_CHARS = 2000
DEADLINE_MAX_CHARS = 500
# How much of an unread phrase a warning quotes.
QUOTE_MAX_CHARS = 200
_YEAR_DIGITS = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A full date found in a text; `day` is None when the numbers make no real date."""

    day: date | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TripDates:
    start: date | None
    end: date | None
    # Where the dates were written, so the rest of Section 3 can be read as the destination.
    span: tuple[int, int] | None = None
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class DeadlineParse:
    deadline: date | None
    ongoing: bool = False
    warning: str | None = None


# ---------------------------------------------------------------- building blocks


def _day(name: str) -> str:
    return rf"(?P<{name}>\d{{1,2}})(?!\d){DAY_SUFFIX}?"


def _month(name: str) -> str:
    return rf"(?P<{name}>{MONTH})"


def _year(name: str) -> str:
    return rf"(?P<{name}>{YEAR})"


_GAP = r"[\s,]{0,3}"
_RANGE_SEPARATOR = r"(?:(?<=ից)\s|\s?(?:-|to|until|till|through|մինչև|մինչեւ)\s?)"
_NUMERIC_DATE = r"(?P<{d}>\d{{1,2}})[./](?P<{m}>\d{{1,2}})[./](?P<{y}>\d{{4}})(?!\d)"

_SINGLE_DATES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)",
        r"(?<![\d.])" + _NUMERIC_DATE.format(d="d", m="m", y="y") + YEAR_WORD + "?",
        _year("y") + _GAP + _month("m") + r"\s?" + _day("d"),
        _month("m") + r"\s?" + _day("d") + _GAP + _year("y"),
        _day("d") + r"\s(?:of\s)?" + _month("m") + _GAP + _year("y"),
    )
)

_TRIP_RANGES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        # 12.05.2025 - 14.05.2025, 12-14.05.2025, 12.05-14.05.2025
        r"(?<![\d.])(?P<d1>\d{1,2})(?:[./](?P<m1>\d{1,2}))?(?:[./](?P<y1>\d{4}))?"
        + YEAR_WORD
        + "?"
        + _RANGE_SEPARATOR
        + _NUMERIC_DATE.format(d="d2", m="m2", y="y2"),
        # 2025 թվականի փետրվարի 3-5-ը, հուլիսի 10-12-ը, 2024 թ., May 12-14, 2025,
        # հունիսի 28-ից հուլիսի 2-ը
        rf"(?:{_year('y0')}{_GAP})?{_month('m1')}\s?{_day('d1')}(?:{_GAP}{_year('y1')})?"
        rf"{_RANGE_SEPARATOR}(?:{_month('m2')}\s?)?{_day('d2')}(?:{_GAP}{_year('y2')})?",
        # 12-14 May 2025, 30 June - 2 July 2025, 30 December 2024 - 3 January 2025
        rf"(?:{_year('y0')}{_GAP})?{_day('d1')}(?:\s(?:of\s)?{_month('m1')}(?:{_GAP}{_year('y1')})?)?"
        rf"{_RANGE_SEPARATOR}{_day('d2')}\s(?:of\s)?{_month('m2')}(?:{_GAP}{_year('y2')})?",
    )
)

_YEARLESS_DATES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        _month("m") + r"\s?" + _day("d"),
        _day("d") + r"\s(?:of\s)?" + _month("m"),
    )
)


def _year_of(text: str | None) -> int | None:
    if not text:
        return None
    match = _YEAR_DIGITS.search(text)
    return int(match[0]) if match else None


def _month_of(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else month_number(text.strip())


def _make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _years_in(text: str) -> list[int]:
    return sorted({int(match[0]) for match in _YEAR_DIGITS.finditer(text)})


# ---------------------------------------------------------------- full dates


def find_dates(text: str) -> list[DateMention]:
    """Every full date (day, month and year) written in `text`, in order of appearance."""
    folded = fold(text)
    mentions: list[DateMention] = []
    for pattern in _SINGLE_DATES:
        for match in pattern.finditer(folded):
            day = _make_date(_year_of(match["y"]), _month_of(match["m"]), int(match["d"]))
            mentions.append(DateMention(day, match.start(), match.end()))
    return _without_overlaps(mentions)


def _without_overlaps(mentions: list[DateMention]) -> list[DateMention]:
    kept: list[DateMention] = []
    for mention in sorted(mentions, key=lambda item: (item.start, -item.end)):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def find_signing_date(text: str) -> DateMention | None:
    """The first real date in Section 10."""
    return next((mention for mention in find_dates(text) if mention.day), None)


# ---------------------------------------------------------------- trip dates


def parse_trip_dates(text: str, *, fallback_year: int | None = None) -> TripDates:
    """The first and last day of the trip, from the text of Section 3."""
    text = text[:TRIP_TEXT_MAX_CHARS]
    folded = fold(text)
    years_in_text = _years_in(folded)
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
    first_year = _year_of(groups.get("y1")) or _year_of(groups.get("y0"))
    last_year = _year_of(groups.get("y2")) or first_year
    first_year = first_year or last_year or only_year
    last_year = last_year or first_year
    first_month = _month_of(groups.get("m1")) or _month_of(groups.get("m2"))
    last_month = _month_of(groups.get("m2")) or first_month
    span = (match.start(), match.end())
    if first_year is None or last_year is None:
        return TripDates(None, None, span, f"Section 3: no year given for «{match[0]}»")
    start = _make_date(first_year, first_month, int(match["d1"]))
    end = _make_date(last_year, last_month, int(match["d2"]))
    if start is None or end is None:
        return TripDates(None, None, span, f"Section 3: «{match[0]}» is not a real date range")
    only_end_year = groups.get("y1") is None and groups.get("y0") is None
    if start > end and only_end_year and start.month > end.month:
        # "30 December - 3 January 2025": the one year written belongs to the end.
        start = _make_date(first_year - 1, first_month, start.day)
    if start is None or start > end:
        return TripDates(None, None, span, f"Section 3: «{match[0]}» ends before it starts")
    return TripDates(start, end, span)


def _yearless_trip_day(text: str, year: int | None, *, assumed: bool) -> TripDates:
    folded = fold(text)
    for pattern in _YEARLESS_DATES:
        match = pattern.search(folded)
        if match is None:
            continue
        span = (match.start(), match.end())
        day = _make_date(year, _month_of(match["m"]), int(match["d"]))
        if day is None:
            return TripDates(None, None, span, f"Section 3: no year given for «{match[0]}»")
        if not assumed:
            return TripDates(day, day, span)
        warning = f"Section 3: no year given for «{match[0]}»; {year} assumed from the signing date"
        return TripDates(day, day, span, warning)
    return TripDates(None, None, None, "Section 3: the dates of the trip were not found")


# ---------------------------------------------------------------- deadline phrases

_ONGOING = re.compile(
    r"(?<!\w)(?:մշտապես|ընթացիկ|պարբերաբար|պարբերական|շարունակաբար|շարունակական|անընդհատ"
    r"|ըստ\sանհրաժեշտության|անժամկետ|ongoing|on-going|continuous(?:ly)?|continual(?:ly)?"
    r"|permanent(?:ly)?|regularly|on\sa\sregular\sbasis|periodically|as\s(?:needed|required)"
    r"|no\sdeadline)(?!\w)",
    _FLAGS,
)
_ORDINALS = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "last": 4,
    "առաջին": 1,
    "երկրորդ": 2,
    "երրորդ": 3,
    "չորրորդ": 4,
}
_ORDINAL = (
    r"(?:IV|III|II|I|[1-4](?:st|nd|rd|th)?|first|second|third|fourth|last"
    r"|առաջին|երկրորդ|երրորդ|չորրորդ)"
)
_HY_ORDINAL_SUFFIX = r"(?:\s?-?\s?(?:ին|րդ))?"
_QUARTER = re.compile(
    rf"(?<!\w)(?:(?P<q>{_ORDINAL}){_HY_ORDINAL_SUFFIX}\s?(?:եռամսյակ\w*|(?:calendar\s)?quarter)"
    rf"|Q\s?(?P<q1>[1-4])|(?P<q2>[1-4])\s?Q|quarter\s(?P<q3>[1-4]|IV|III|II|I))(?!\w)",
    _FLAGS,
)
_HALF_YEAR = re.compile(
    rf"(?<!\w)(?:(?P<h>{_ORDINAL}){_HY_ORDINAL_SUFFIX}\s?(?:կիսամյակ\w*|half(?:\sof)?(?:\sthe\syear)?)"
    r"|H(?P<h1>[12]))(?!\w)",
    _FLAGS,
)
_RELATIVE_NUMBER = re.compile(
    rf"(?<!\w)(?P<n>{NUMBER})(?:\s?\([^)]{{1,30}}\))?\s"
    r"(?P<work>աշխատանքային\s|working\s|business\s|calendar\s)?"
    r"(?P<unit>օր|շաբաթ|ամս|ամիս|տար|day|week|month|year)\w*",
    _FLAGS,
)
_RELATIVE_COMPOUND = re.compile(
    r"(?<!\w)(?P<n>մեկ|երկ|եռ|քառ|հնգ|վեց|յոթ|ութ|ինն|տասն|տաս|կիս)?"
    r"(?P<unit>ամսյա|շաբաթյա|օրյա|ամյա)(?!\w)",
    _FLAGS,
)
_COMPOUND_PREFIXES = {
    None: 1,
    "մեկ": 1,
    "երկ": 2,
    "եռ": 3,
    "քառ": 4,
    "հնգ": 5,
    "վեց": 6,
    "յոթ": 7,
    "ութ": 8,
    "ինն": 9,
    "տասն": 10,
    "տաս": 10,
}
_YEAR_END_WRITTEN = re.compile(
    rf"(?P<y>{YEAR})[\s,]{{0,3}}(?:ընթացքում|վերջ\w*|ավարտ\w*)"
    rf"|(?<!\w)(?:(?:the\s)?end\sof|end-|during|within|throughout|over|in)\s(?:the\s(?:year\s)?)?"
    rf"(?P<y2>{YEAR})"
    rf"|year-end\s(?P<y3>{YEAR})",
    _FLAGS,
)
_YEAR_END_CURRENT = re.compile(
    r"տարեվերջ\w*|(?:տվյալ\s|ընթացիկ\s)?տարվա\s(?:վերջ\w*|ավարտ\w*|ընթացքում)"
    r"|end\sof\s(?:the\s)?(?:current\s|this\s)?year|year-end",
    _FLAGS,
)
_MONTH_AND_YEAR = re.compile(
    rf"(?:(?:the\s)?end\sof\s)?(?P<m>{MONTH})(?:\sամս\w*)?{_GAP}(?P<y>{YEAR})"
    rf"|(?P<y2>{YEAR}){_GAP}(?P<m2>{MONTH})(?:\sամս\w*)?",
    _FLAGS,
)


def parse_deadline(text: str, *, signed_on: date | None) -> DeadlineParse:
    """The date a deadline phrase means; relative phrases count from the signing date.

    Never guesses: a phrase it does not understand gives no date and a warning naming it.
    """
    phrase = " ".join(text.split())
    if not phrase:
        return DeadlineParse(None)
    if len(phrase) > DEADLINE_MAX_CHARS:
        return DeadlineParse(None, warning=f"deadline not understood: «{_quote(phrase)}»")
    folded = fold(phrase)
    for reader in _DEADLINE_READERS:
        parse = reader(folded, phrase, signed_on)
        if parse is not None:
            return _checked_against_signing(parse, phrase, signed_on)
    return DeadlineParse(None, warning=f"deadline not understood: «{phrase}»")


def _quote(phrase: str) -> str:
    return phrase if len(phrase) <= QUOTE_MAX_CHARS else f"{phrase[:QUOTE_MAX_CHARS]}…"


def _checked_against_signing(
    parse: DeadlineParse, phrase: str, signed_on: date | None
) -> DeadlineParse:
    if parse.deadline and signed_on and parse.deadline < signed_on and parse.warning is None:
        warning = f"deadline «{phrase}» is before the report was signed ({signed_on.isoformat()})"
        return DeadlineParse(parse.deadline, parse.ongoing, warning)
    return parse


def _full_date(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    mentions = find_dates(folded)
    if not mentions:
        return None
    real = [mention.day for mention in mentions if mention.day]
    if len(real) < len(mentions):
        return DeadlineParse(None, warning=f"deadline «{phrase}» is not a real date")
    latest = max(real)
    if len(set(real)) > 1:
        return DeadlineParse(
            latest, warning=f"deadline «{phrase}» gives several dates; the latest was taken"
        )
    return DeadlineParse(latest)


def _single_year(folded: str, phrase: str, what: str) -> int | DeadlineParse:
    years = _years_in(folded)
    if len(years) == 1:
        return years[0]
    problem = "no year" if not years else "several years"
    return DeadlineParse(None, warning=f"deadline «{phrase}»: a {what} with {problem}")


def _quarter(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _QUARTER.search(folded)
    if match is None:
        return None
    ordinal = next(value for value in match.groups() if value)
    quarter = _ORDINALS[ordinal.lower()]
    year = _single_year(folded, phrase, "quarter")
    if isinstance(year, DeadlineParse):
        return year
    return DeadlineParse(_last_day(year, quarter * 3))


def _half_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _HALF_YEAR.search(folded)
    if match is None:
        return None
    half = _ORDINALS.get((match["h"] or match["h1"]).lower(), 0)
    if half not in (1, 2):
        return DeadlineParse(None, warning=f"deadline not understood: «{phrase}»")
    year = _single_year(folded, phrase, "half-year")
    if isinstance(year, DeadlineParse):
        return year
    return DeadlineParse(_last_day(year, half * 6))


def _relative(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    period = _relative_period(folded)
    if period is None:
        return None
    amount, unit = period
    if signed_on is None:
        warning = (
            f"deadline «{phrase}» counts from the signing date, which the report does not give"
        )
        return DeadlineParse(None, warning=warning)
    try:
        if amount <= 0:
            raise ValueError(amount)
        return DeadlineParse(_add_period(signed_on, amount, unit))
    except (ValueError, OverflowError):
        # "0 days", or a count that runs past the calendar's last year.
        return DeadlineParse(None, warning=f"deadline not understood: «{phrase}»")


def _relative_period(folded: str) -> tuple[int, str] | None:
    match = _RELATIVE_NUMBER.search(folded)
    if match is not None:
        amount = number_value(match["n"])
        if amount is not None:
            unit = _unit_name(match["unit"].lower())
            if match["work"] and match["work"].strip().lower() != "calendar" and unit == "days":
                unit = "working_days"
            return amount, unit
    match = _RELATIVE_COMPOUND.search(folded)
    if match is not None:
        prefix = match["n"].lower() if match["n"] else None
        unit = _unit_name(match["unit"].lower())
        if prefix == "կիս":
            return (6, "months") if unit == "years" else None
        return _COMPOUND_PREFIXES.get(prefix, 1), unit
    return None


def _unit_name(word: str) -> str:
    if word.startswith(("օր", "day")):
        return "days"
    if word.startswith(("շաբաթ", "week")):
        return "weeks"
    if word.startswith(("ամս", "ամիս", "month")):
        return "months"
    return "years"


def _add_period(start: date, amount: int, unit: str) -> date:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    months = amount if unit == "months" else amount * 12
    return add_months(start, months)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def _ongoing(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    return DeadlineParse(None, ongoing=True) if _ONGOING.search(folded) else None


def _year_end(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _YEAR_END_WRITTEN.search(folded)
    if match is not None:
        year = _year_of(match["y"] or match["y2"] or match["y3"])
        return DeadlineParse(date(year, 12, 31)) if year else None
    if _YEAR_END_CURRENT.search(folded):
        if signed_on is None:
            warning = f"deadline «{phrase}» means the current year, but the signing date is missing"
            return DeadlineParse(None, warning=warning)
        return DeadlineParse(date(signed_on.year, 12, 31))
    return None


def _month_and_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _MONTH_AND_YEAR.search(folded)
    if match is None:
        return None
    year = _year_of(match["y"] or match["y2"])
    month = _month_of(match["m"] or match["m2"])
    if year is None or month is None:
        return None
    # As with quarters, a period named without a day runs to its last day.
    return DeadlineParse(_last_day(year, month))


def _day_without_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    if any(pattern.search(folded) for pattern in _YEARLESS_DATES):
        # Which year is meant is a guess (the signing year, or the next); the reviewer decides.
        return DeadlineParse(None, warning=f"deadline «{phrase}» gives no year")
    return None


def _year_only(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    years = _years_in(folded)
    if not years:
        return None
    # "2025 թ." or "2025-2026 թթ.": to the end of the last year named.
    return DeadlineParse(date(years[-1], 12, 31))


_DeadlineReader = Callable[[str, str, date | None], DeadlineParse | None]
_DEADLINE_READERS: tuple[_DeadlineReader, ...] = (
    _full_date,
    _quarter,
    _half_year,
    _relative,
    _year_end,
    _month_and_year,
    _ongoing,
    _day_without_year,
    _year_only,
)
