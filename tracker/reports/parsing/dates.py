"""Dates as Armenian and English trip reports write them, in three modules:

- `full_dates`: full dates (day, month, year), the signing date of Section 10, and the
  building blocks the other two share;
- `trip_dates`: the trip's date range in Section 3;
- `deadline_phrases`: the deadline phrases of Section 9.

This module keeps their public names importable from where they used to live.
"""

from __future__ import annotations

from .deadline_phrases import DEADLINE_MAX_CHARS, DeadlineParse, add_months, parse_deadline
from .full_dates import DateMention, find_dates, find_signing_date
from .trip_dates import TRIP_TEXT_MAX_CHARS, TripDates, parse_trip_dates

__all__ = [
    "DEADLINE_MAX_CHARS",
    "TRIP_TEXT_MAX_CHARS",
    "DateMention",
    "DeadlineParse",
    "TripDates",
    "add_months",
    "find_dates",
    "find_signing_date",
    "parse_deadline",
    "parse_trip_dates",
]
