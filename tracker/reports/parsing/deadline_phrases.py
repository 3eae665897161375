"""Deadline phrases as Section 9 writes them: a full date, a quarter or half-year, a count
of days, weeks, months or years from the signing date, the end of a year or of a month,
"ongoing", a day without a year, or a year alone.

Pure functions: text in, a date out, and a warning instead of a guess when the phrase is
unclear.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.workdays import add_working_days

from .blocks import fold
from .errors import ParseWarning
from .full_dates import (
    FLAGS,
    GAP,
    YEARLESS_DATES,
    find_dates,
    last_day,
    month_of,
    year_of,
    years_in,
)
from .vocabulary import MONTH, NUMBER, YEAR, number_value

# A deadline phrase longer than this is not read: every pattern below runs in linear time,
# and the cap keeps a hostile file's megabyte-long field from costing seconds.
DEADLINE_MAX_CHARS = 500
# How much of an unread phrase a warning quotes.
QUOTE_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class DeadlineParse:
    deadline: date | None
    ongoing: bool = False
    warning: str | None = None


# ---------------------------------------------------------------- deadline phrases

_ONGOING = re.compile(
    r"(?<!\w)(?:մշտապես|ընթացիկ|պարբերաբար|պարբերական|շարունակաբար|շարունակական|անընդհատ"
    r"|ըստ\sանհրաժեշտության|անժամկետ|ongoing|on-going|continuous(?:ly)?|continual(?:ly)?"
    r"|permanent(?:ly)?|regularly|on\sa\sregular\sbasis|periodically|as\s(?:needed|required)"
    r"|no\sdeadline)(?!\w)",
    FLAGS,
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
    FLAGS,
)
_HALF_YEAR = re.compile(
    rf"(?<!\w)(?:(?P<h>{_ORDINAL}){_HY_ORDINAL_SUFFIX}\s?(?:կիսամյակ\w*|half(?:\sof)?(?:\sthe\syear)?)"
    r"|H(?P<h1>[12]))(?!\w)",
    FLAGS,
)
_RELATIVE_NUMBER = re.compile(
    rf"(?<!\w)(?P<n>{NUMBER})(?:\s?\([^)]{{1,30}}\))?\s"
    r"(?P<work>աշխատանքային\s|working\s|business\s|calendar\s)?"
    r"(?P<unit>օր|շաբաթ|ամս|ամիս|տար|day|week|month|year)\w*",
    FLAGS,
)
_RELATIVE_COMPOUND = re.compile(
    r"(?<!\w)(?P<n>մեկ|երկ|եռ|քառ|հնգ|վեց|յոթ|ութ|ինն|տասն|տաս|կիս)?"
    r"(?P<unit>ամսյա|շաբաթյա|օրյա|ամյա)(?!\w)",
    FLAGS,
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
    FLAGS,
)
_YEAR_END_CURRENT = re.compile(
    r"տարեվերջ\w*|(?:տվյալ\s|ընթացիկ\s)?տարվա\s(?:վերջ\w*|ավարտ\w*|ընթացքում)"
    r"|end\sof\s(?:the\s)?(?:current\s|this\s)?year|year-end",
    FLAGS,
)
_MONTH_AND_YEAR = re.compile(
    rf"(?:(?:the\s)?end\sof\s)?(?P<m>{MONTH})(?:\sամս\w*)?{GAP}(?P<y>{YEAR})"
    rf"|(?P<y2>{YEAR}){GAP}(?P<m2>{MONTH})(?:\sամս\w*)?",
    FLAGS,
)


def parse_deadline(text: str, *, signed_on: date | None) -> DeadlineParse:
    """The date a deadline phrase means; relative phrases count from the signing date.

    Never guesses: a phrase it does not understand gives no date and a warning naming it.
    """
    phrase = " ".join(text.split())
    if not phrase:
        return DeadlineParse(None)
    if len(phrase) > DEADLINE_MAX_CHARS:
        return DeadlineParse(
            None, warning=ParseWarning("deadline_not_understood", phrase=_quote(phrase))
        )
    folded = fold(phrase)
    for reader in _DEADLINE_READERS:
        parse = reader(folded, phrase, signed_on)
        if parse is not None:
            return _checked_against_signing(parse, phrase, signed_on)
    return DeadlineParse(None, warning=ParseWarning("deadline_not_understood", phrase=phrase))


def _quote(phrase: str) -> str:
    return phrase if len(phrase) <= QUOTE_MAX_CHARS else f"{phrase[:QUOTE_MAX_CHARS]}…"


def _checked_against_signing(
    parse: DeadlineParse, phrase: str, signed_on: date | None
) -> DeadlineParse:
    if parse.deadline and signed_on and parse.deadline < signed_on and parse.warning is None:
        warning = ParseWarning(
            "deadline_before_signing", phrase=phrase, signed_on=signed_on.isoformat()
        )
        return DeadlineParse(parse.deadline, parse.ongoing, warning)
    return parse


def _full_date(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    mentions = find_dates(folded)
    if not mentions:
        return None
    real = [mention.day for mention in mentions if mention.day]
    if len(real) < len(mentions):
        return DeadlineParse(None, warning=ParseWarning("deadline_not_real", phrase=phrase))
    latest = max(real)
    if len(set(real)) > 1:
        return DeadlineParse(latest, warning=ParseWarning("deadline_several_dates", phrase=phrase))
    return DeadlineParse(latest)


def _single_year(folded: str, phrase: str, what: str) -> int | DeadlineParse:
    years = years_in(folded)
    if len(years) == 1:
        return years[0]
    code = "deadline_period_no_year" if not years else "deadline_period_several_years"
    return DeadlineParse(None, warning=ParseWarning(code, phrase=phrase, period=what))


def _quarter(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _QUARTER.search(folded)
    if match is None:
        return None
    ordinal = next(value for value in match.groups() if value)
    quarter = _ORDINALS[ordinal.lower()]
    year = _single_year(folded, phrase, "quarter")
    if isinstance(year, DeadlineParse):
        return year
    return DeadlineParse(last_day(year, quarter * 3))


def _half_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _HALF_YEAR.search(folded)
    if match is None:
        return None
    half = _ORDINALS.get((match["h"] or match["h1"]).lower(), 0)
    if half not in (1, 2):
        return DeadlineParse(None, warning=ParseWarning("deadline_not_understood", phrase=phrase))
    year = _single_year(folded, phrase, "half-year")
    if isinstance(year, DeadlineParse):
        return year
    return DeadlineParse(last_day(year, half * 6))


def _relative(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    period = _relative_period(folded)
    if period is None:
        return None
    amount, unit = period
    if signed_on is None:
        warning = ParseWarning("deadline_needs_signing_date", phrase=phrase)
        return DeadlineParse(None, warning=warning)
    try:
        if amount <= 0:
            raise ValueError(amount)
        return DeadlineParse(_add_period(signed_on, amount, unit))
    except (ValueError, OverflowError):
        # "0 days", or a count that runs past the calendar's last year.
        return DeadlineParse(None, warning=ParseWarning("deadline_not_understood", phrase=phrase))


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
        year = year_of(match["y"] or match["y2"] or match["y3"])
        return DeadlineParse(date(year, 12, 31)) if year else None
    if _YEAR_END_CURRENT.search(folded):
        if signed_on is None:
            warning = ParseWarning("deadline_current_year_no_signing", phrase=phrase)
            return DeadlineParse(None, warning=warning)
        return DeadlineParse(date(signed_on.year, 12, 31))
    return None


def _month_and_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    match = _MONTH_AND_YEAR.search(folded)
    if match is None:
        return None
    year = year_of(match["y"] or match["y2"])
    month = month_of(match["m"] or match["m2"])
    if year is None or month is None:
        return None
    # As with quarters, a period named without a day runs to its last day.
    return DeadlineParse(last_day(year, month))


def _day_without_year(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    if any(pattern.search(folded) for pattern in YEARLESS_DATES):
        # Which year is meant is a guess (the signing year, or the next); the reviewer decides.
        return DeadlineParse(None, warning=ParseWarning("deadline_no_year", phrase=phrase))
    return None


def _year_only(folded: str, phrase: str, signed_on: date | None) -> DeadlineParse | None:
    years = years_in(folded)
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
