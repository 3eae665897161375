"""Trip report parsing: pure functions, no Flask and no database.

`parse_report(data, filename)` reads a .txt, .docx or .pdf trip report into a ParsedReport,
or raises ReportError (never anything else) with one human-readable line and a `code`.
"""

from .dates import DeadlineParse, parse_deadline, parse_trip_dates
from .errors import ReportError
from .model import ParsedRecommendation, ParsedReport
from .parser import DEFAULT_MAX_BYTES, parse_report

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DeadlineParse",
    "ParsedRecommendation",
    "ParsedReport",
    "ReportError",
    "parse_deadline",
    "parse_report",
    "parse_trip_dates",
]
