"""Trip report parsing: pure functions, no Flask and no database.

`parse_report(data, filename)` reads a .txt, .docx or .pdf trip report into a ParsedReport,
or raises ReportError (never anything else) with one human-readable line and a `code`.
"""

from .deadline_phrases import DeadlineParse, parse_deadline
from .errors import ParseWarning, ReportError
from .model import ParsedRecommendation, ParsedReport
from .parser import DEFAULT_MAX_BYTES, parse_report
from .trip_dates import parse_trip_dates

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DeadlineParse",
    "ParseWarning",
    "ParsedRecommendation",
    "ParsedReport",
    "ReportError",
    "parse_deadline",
    "parse_report",
    "parse_trip_dates",
]
