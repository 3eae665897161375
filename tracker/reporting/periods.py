"""Reporting periods: a month, a quarter or a year, named by a key ("2026-10", "2026-Q3",
"2026"). Pure: no Flask, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
_KEY = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")
# The years a key may name: a period whose neighbours (previous, following) are dates too.
YEARS = range(1901, 9999)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # the last day, included
    kind: PeriodKind

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        if kind == "month":
            first_month = day.month
            months = 1
        elif kind == "quarter":
            first_month = 3 * ((day.month - 1) // 3) + 1
            months = 3
        else:
            first_month = 1
            months = 12
        start = date(day.year, first_month, 1)
        return cls(start, _add_months(start, months) - timedelta(days=1), kind)

    @classmethod
    def parse(cls, key: str) -> Period | None:
        """The period a key names; None for anything else (a hand-edited URL)."""
        found = _KEY.match(key.strip())
        if found is None:
            return None
        year, month, quarter = found.groups()
        if int(year) not in YEARS:
            return None  # "0000" or "9999-12": no date, or no period after it
        if month:
            return cls.containing("month", date(int(year), int(month), 1))
        if quarter:
            return cls.containing("quarter", date(int(year), 3 * int(quarter) - 2, 1))
        return cls.containing("year", date(int(year), 1, 1))

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def following(self) -> Period:
        return Period.containing(self.kind, self.end + timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
