"""Full dates (day, month and year) as Armenian and English reports write them, and the
building blocks the trip ranges and the deadline phrases share.

Pure functions: text in, dates out; numbers that make no real date give None, never a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .blocks import fold
from .vocabulary import DAY_SUFFIX, MONTH, YEAR, YEAR_WORD, month_number

FLAGS = re.IGNORECASE
YEAR_DIGITS = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A full date found in a text; `day` is None when the numbers make no real date."""

    day: date | None
    start: int
    end: int


# ---------------------------------------------------------------- building blocks


def day_group(name: str) -> str:
    return rf"(?P<{name}>\d{{1,2}})(?!\d){DAY_SUFFIX}?"


def month_group(name: str) -> str:
    return rf"(?P<{name}>{MONTH})"


def year_group(name: str) -> str:
    return rf"(?P<{name}>{YEAR})"


GAP = r"[\s,]{0,3}"
NUMERIC_DATE = r"(?P<{d}>\d{{1,2}})[./](?P<{m}>\d{{1,2}})[./](?P<{y}>\d{{4}})(?!\d)"

_SINGLE_DATES = tuple(
    re.compile(pattern, FLAGS)
    for pattern in (
        r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)",
        r"(?<![\d.])" + NUMERIC_DATE.format(d="d", m="m", y="y") + YEAR_WORD + "?",
        year_group("y") + GAP + month_group("m") + r"\s?" + day_group("d"),
        month_group("m") + r"\s?" + day_group("d") + GAP + year_group("y"),
        day_group("d") + r"\s(?:of\s)?" + month_group("m") + GAP + year_group("y"),
    )
)

# A day and a month without a year: a trip date read with the only year of Section 3 or
# the signing year; in a deadline phrase, a day whose year the reviewer must give.
YEARLESS_DATES = tuple(
    re.compile(pattern, FLAGS)
    for pattern in (
        month_group("m") + r"\s?" + day_group("d"),
        day_group("d") + r"\s(?:of\s)?" + month_group("m"),
    )
)


def year_of(text: str | None) -> int | None:
    if not text:
        return None
    match = YEAR_DIGITS.search(text)
    return int(match[0]) if match else None


def month_of(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else month_number(text.strip())


def make_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def years_in(text: str) -> list[int]:
    return sorted({int(match[0]) for match in YEAR_DIGITS.finditer(text)})


# ---------------------------------------------------------------- full dates


def find_dates(text: str) -> list[DateMention]:
    """Every full date (day, month and year) written in `text`, in order of appearance."""
    folded = fold(text)
    mentions: list[DateMention] = []
    for pattern in _SINGLE_DATES:
        for match in pattern.finditer(folded):
            day = make_date(year_of(match["y"]), month_of(match["m"]), int(match["d"]))
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
