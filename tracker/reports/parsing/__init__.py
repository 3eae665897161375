"""Trip report parsing: pure functions, no Flask and no database.

`parse_report(data, filename)` reads a .txt, .docx or .pdf trip report into a ParsedReport,
or raises ReportError (never anything else) with one human-readable line and a `code`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ParseWarning, ReportError
from .model import ParsedRecommendation, ParsedReport

if TYPE_CHECKING:
    from .deadline_phrases import DeadlineParse, parse_deadline
    from .parser import DEFAULT_MAX_BYTES, parse_report
    from .trip_dates import parse_trip_dates

# The parser proper (hundreds of patterns compiled at import) loads when first used: the web
# application and every `tracker` command import this package for its errors and results
# only, and a parse runs in a child process of its own (tracker/reports/sandbox.py).
_LOADED_ON_USE = {
    "DEFAULT_MAX_BYTES": "parser",
    "DeadlineParse": "deadline_phrases",
    "parse_deadline": "deadline_phrases",
    "parse_report": "parser",
    "parse_trip_dates": "trip_dates",
}


def __getattr__(name: str) -> Any:
    module = _LOADED_ON_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
