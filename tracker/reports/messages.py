"""The parser's refusals and warnings in the user's language.

The pure parser (`tracker.reports.parsing`) knows no Flask: it gives a ReportError's `code`
and `params`, and warnings that are ParseWarning (a code and params; their `str()` is the
English line the CLI prints and `tracker import --json` keeps). Here each code becomes a
message of the catalogue, for the upload form's errors and the report pages' warnings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.display import when
from tracker.reports.parsing import ParseWarning, ReportError

_REFUSALS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is too large."),
    "too_large_unpacked": _l("The Word file is too large once unpacked."),
    "undecodable": _l("The text file is not in UTF-8: save it as UTF-8 and upload it again."),
    "broken_docx": _l("The Word file is damaged: it could not be read."),
    "broken_doc": _l(
        "The old Word (.doc) file could not be read: it is damaged or not a Word 97-2003"
        " document. Save it as .docx or PDF and upload it again."
    ),
    "doc_reader_missing": _l(
        "Old Word (.doc) files cannot be read on this server: the converter is not installed"
        " (ask the administrator to install the Debian package antiword). Meanwhile, save the"
        " file as .docx or PDF and upload it again."
    ),
    "broken_pdf": _l("The PDF file is damaged: it could not be read."),
    "broken_image": _l("The scanned picture is damaged: it could not be read."),
    "encrypted_pdf": _l("The PDF file is encrypted: it cannot be read without a password."),
    "scanned_pdf": _l("The PDF file is a scan with no text in it: upload a PDF with text."),
    "ocr_unavailable": _l(
        "The PDF file is a scan with no text in it, and scans cannot be read on this server:"
        " OCR is not installed (ask the administrator to install the Debian packages"
        " tesseract-ocr, tesseract-ocr-hye and tesseract-ocr-eng). Meanwhile, upload a PDF"
        " with text, or the Word file."
    ),
    "ocr_failed": _l(
        "The scanned document could not be read by OCR. Check that it opens, then upload it"
        " again, or upload a PDF with text."
    ),
    "not_allowed": _l(
        "The scan was read, but its uploader may no longer import reports: upload it again."
    ),
    "scan_abandoned": _l(
        "Reading the scanned document failed several times. Try again later, or upload a PDF"
        " with text."
    ),
    "not_a_report": _l(
        "This is not a trip report: the numbered sections of the report form were not found."
    ),
    "too_slow": _l("This file takes too long to read, so it cannot be a usable report."),
    "too_complex": _l("This file needs too much memory to read, so it cannot be a usable report."),
    "parse_failed": _l("This file could not be read. Check that it opens, then upload it again."),
}


def refusal(error: ReportError) -> str:
    """Why a file was refused, in the user's language (the English line for a code this
    module does not know)."""
    params = error.params
    if error.code == "too_large" and "limit" in params:
        return _(
            "The file is too large: %(size)s MB, the limit is %(limit)s MB.",
            size=_megabytes(params.get("size")),
            limit=_megabytes(params["limit"]),
        )
    if error.code == "too_large" and "page_limit" in params:
        return _(
            "The scan is too long to read: %(pages)s pages, the limit is %(page_limit)s.",
            pages=params.get("pages"),
            page_limit=params["page_limit"],
        )
    if error.code == "duplicate":
        return _(
            "This file was already imported, as report %(report)s.", report=params.get("report")
        )
    if error.code == "unsupported_type":
        if params.get("suffix"):
            return _(
                "A %(suffix)s file cannot be read: upload a .txt, .docx, .doc or .pdf file.",
                suffix=params["suffix"],
            )
        return _(
            "A file without an extension cannot be read: upload a .txt, .docx, .doc or .pdf file."
        )
    message = _REFUSALS.get(error.code)
    return str(message) if message is not None else str(error)


def _megabytes(size: object) -> str:
    return f"{int(size) / 1024 / 1024:.1f}" if isinstance(size, int) else "?"


# ---------------------------------------------------------------- warnings

# The sections' names as the parser gives them (tracker.reports.parsing.parser.SECTION_NAMES).
_SECTION_NAMES = {
    "name": _l("name"),
    "position": _l("position"),
    "place and dates": _l("place and dates"),
    "inviting party": _l("inviting party"),
    "purpose": _l("purpose"),
    "topics discussed": _l("topics discussed"),
    "meetings": _l("meetings"),
    "decisions": _l("decisions"),
    "recommendations": _l("recommendations"),
    "signature and date": _l("signature and date"),
}
_PERIODS = {"quarter": _l("a quarter"), "half-year": _l("a half-year")}

_WARNINGS = {
    "section_missing": _l("Section %(number)s (%(name)s) was not found"),
    "section_empty": _l("Section %(number)s (%(name)s) is empty"),
    "section9_missing": _l(
        "Section 9 (recommendations) was not found: no task was created from this report;"
        " add recommendations by hand if it has any"
    ),
    "sections_found": _l(
        "The report's form differs from the model form: sections found: %(sections)s"
    ),
    "trip_dates_missing": _l("Section 3: the dates of the trip were not found"),
    "trip_year_assumed": _l(
        "Section 3: no year given for «%(text)s»; %(year)s assumed from the signing date"
    ),
    "trip_no_year": _l("Section 3: no year given for «%(text)s»"),
    "trip_range_not_real": _l("Section 3: «%(text)s» is not a real date range"),
    "trip_range_backwards": _l("Section 3: «%(text)s» ends before it starts"),
    "signing_date_missing": _l("Section 10: the signing date was not found"),
    "signing_date_not_real": _l("Section 10: the signing date «%(text)s» is not a real date"),
    "signatory_missing": _l("Section 10: the name of the signatory was not found"),
    "pdf_page_unreadable": _l("PDF page %(page)s could not be read"),
    "legacy_armenian_converted": _l(
        "The text was typed in an old Armenian font or encoding (ArmSCII-8) and was converted"
        " to Unicode: check the names and numbers"
    ),
    "section9_empty": _l("Section 9 is empty: no recommendations found"),
    "section9_none": _l("Section 9 says there are no recommendations"),
    "no_recommendations": _l("Section 9: no recommendation could be read"),
    "text_after_list": _l("Section 9: text after the list was not taken as a task: «%(text)s»"),
    "table_not_recognized": _l(
        "Section 9: a table's columns were not recognized; its rows were read as text"
    ),
    "recommendation_no_owner": _l(
        "Recommendation %(number)s («%(title)s»): no responsible person named"
    ),
    "recommendation_no_deadline": _l("Recommendation %(number)s («%(title)s»): no deadline given"),
    "recommendation_no_owner_no_deadline": _l(
        "Recommendation %(number)s («%(title)s»): no responsible person named, no deadline given"
    ),
    "recommendation_deadline": _l("Recommendation %(number)s («%(title)s»): %(detail)s"),
    "deadline_not_understood": _l("deadline not understood: «%(phrase)s»"),
    "deadline_before_signing": _l(
        "deadline «%(phrase)s» is before the report was signed (%(signed_on)s)"
    ),
    "deadline_not_real": _l("deadline «%(phrase)s» is not a real date"),
    "deadline_several_dates": _l("deadline «%(phrase)s» gives several dates; the latest was taken"),
    "deadline_period_no_year": _l("deadline «%(phrase)s»: %(period)s with no year"),
    "deadline_period_several_years": _l("deadline «%(phrase)s»: %(period)s with several years"),
    "deadline_needs_signing_date": _l(
        "deadline «%(phrase)s» counts from the signing date, which the report does not give"
    ),
    "deadline_current_year_no_signing": _l(
        "deadline «%(phrase)s» means the current year, but the signing date is missing"
    ),
    "deadline_no_year": _l("deadline «%(phrase)s» gives no year"),
}


def warning_text(stored: object) -> str:
    """A warning of the parse (a ParseWarning, or as Report.warnings stores it: its JSON, or
    the English line of a report read before warnings had codes) in the user's language."""
    warning = stored if isinstance(stored, ParseWarning) else ParseWarning.from_json(stored)
    if not isinstance(warning, ParseWarning) or warning.code not in _WARNINGS:
        return str(warning)
    params = {key: _shown(key, value) for key, value in warning.params.items()}
    try:
        return str(_WARNINGS[warning.code]) % params
    except (KeyError, TypeError, ValueError):
        return str(warning)


def _shown(key: str, value: Any) -> object:
    if isinstance(value, ParseWarning):
        return warning_text(value)
    if key == "name" and value in _SECTION_NAMES:
        return _SECTION_NAMES[value]
    if key == "period" and value in _PERIODS:
        return _PERIODS[value]
    if key == "signed_on" and isinstance(value, str):
        try:
            return when(date.fromisoformat(value))
        except ValueError:
            return value
    return value
