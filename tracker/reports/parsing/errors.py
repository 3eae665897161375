"""The one exception the parser lets out (a file that cannot be taken as a trip report) and
the warnings it gives about what it could not read with confidence."""

from __future__ import annotations


class ReportError(Exception):
    """A report that cannot be parsed, with one human-readable line and a machine `code`.

    Codes: empty, too_large, too_large_unpacked, unsupported_type, undecodable, broken_docx,
    broken_doc, doc_reader_missing (.doc and antiword), broken_pdf, encrypted_pdf, scanned_pdf,
    not_a_report; when a scan is read by OCR: ocr_unavailable (Tesseract or its hye/eng models
    missing; the message says what to install), ocr_failed (Tesseract itself failed),
    broken_image (a .png/.jpg/.tif scan that cannot be opened), and too_large for a scan of
    too many pages (params `pages`, `page_limit`) or too many pixels.
    """

    def __init__(self, message: str, *, code: str, **params: str | int) -> None:
        # One line only: the CLI prints it on stderr and the web UI in a flash message.
        self.message = " ".join(message.split())
        self.code = code
        # What the message names (sizes, a file type, an encoding), so the web layer can
        # word the refusal in the user's language; `message` stays the English line.
        self.params = params
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"ReportError({self.message!r}, code={self.code!r})"


# What the parser warns about, by code: the English line each gives (`str()` of a warning,
# printed by `tracker import` and kept in its --json contract). The web layer words each
# code in the user's language (tracker/reports/messages.py).
WARNING_TEXTS: dict[str, str] = {
    "section_missing": "Section {number} ({name}) was not found",
    "section_empty": "Section {number} ({name}) is empty",
    "section9_missing": (
        "Section 9 (recommendations) was not found: no task was created from this report;"
        " add recommendations by hand if it has any"
    ),
    "sections_found": ("The report's form differs from the model form: sections found: {sections}"),
    "trip_dates_missing": "Section 3: the dates of the trip were not found",
    "trip_year_assumed": (
        "Section 3: no year given for «{text}»; {year} assumed from the signing date"
    ),
    "trip_no_year": "Section 3: no year given for «{text}»",
    "trip_range_not_real": "Section 3: «{text}» is not a real date range",
    "trip_range_backwards": "Section 3: «{text}» ends before it starts",
    "signing_date_missing": "Section 10: the signing date was not found",
    "signing_date_not_real": "Section 10: the signing date: «{text}» is not a real date",
    "signatory_missing": "Section 10: the name of the signatory was not found",
    "pdf_page_unreadable": "PDF page {page} could not be read",
    "legacy_armenian_converted": (
        "The text was typed in an old Armenian font or encoding (ArmSCII-8) and was converted"
        " to Unicode: check the names and numbers"
    ),
    "section9_empty": "Section 9 is empty: no recommendations found",
    "section9_none": "Section 9 says there are no recommendations",
    "no_recommendations": "Section 9: no recommendation could be read",
    "text_after_list": "Section 9: text after the list was not taken as a task: «{text}»",
    "table_not_recognized": (
        "Section 9: a table's columns were not recognized; its rows were read as text"
    ),
    "recommendation_no_owner": "Recommendation {number} («{title}»): no responsible person named",
    "recommendation_no_deadline": "Recommendation {number} («{title}»): no deadline given",
    "recommendation_no_owner_no_deadline": (
        "Recommendation {number} («{title}»): no responsible person named, no deadline given"
    ),
    # `detail` is a deadline warning (one of the codes below).
    "recommendation_deadline": "Recommendation {number} («{title}»): {detail}",
    "deadline_not_understood": "deadline not understood: «{phrase}»",
    "deadline_before_signing": "deadline «{phrase}» is before the report was signed ({signed_on})",
    "deadline_not_real": "deadline «{phrase}» is not a real date",
    "deadline_several_dates": "deadline «{phrase}» gives several dates; the latest was taken",
    # `period` is "quarter" or "half-year".
    "deadline_period_no_year": "deadline «{phrase}»: a {period} with no year",
    "deadline_period_several_years": "deadline «{phrase}»: a {period} with several years",
    "deadline_needs_signing_date": (
        "deadline «{phrase}» counts from the signing date, which the report does not give"
    ),
    "deadline_current_year_no_signing": (
        "deadline «{phrase}» means the current year, but the signing date is missing"
    ),
    "deadline_no_year": "deadline «{phrase}» gives no year",
}

WarningParam = str | int


class ParseWarning(str):
    """One warning of the parse: a `str` (the English line, so the CLI, the JSON contract
    and every `in`/`==` on it work as before) that also carries its `code` and `params`,
    from which the web layer words it in the user's language.

    Params are texts and numbers; `detail` (of "recommendation_deadline") is itself a
    ParseWarning."""

    code: str
    params: dict[str, WarningParam | ParseWarning]

    def __new__(cls, code: str, **params: WarningParam | ParseWarning) -> ParseWarning:
        text = WARNING_TEXTS[code].format(**params)
        warning = super().__new__(cls, text)
        warning.code = code
        warning.params = params
        return warning

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.code, self.params))

    def to_json(self) -> dict[str, object]:
        """Code, params and English text, for the sandbox's wire and the stored report."""
        params = {
            key: value.to_json() if isinstance(value, ParseWarning) else value
            for key, value in self.params.items()
        }
        return {"code": self.code, "params": params, "text": str(self)}

    @classmethod
    def from_json(cls, data: object) -> str:
        """The warning `to_json` wrote; a plain string (stored before warnings had codes, or
        a code this version does not know) comes back as that string."""
        if isinstance(data, str):
            return data
        if not isinstance(data, dict) or data.get("code") not in WARNING_TEXTS:
            return str(data.get("text", "")) if isinstance(data, dict) else str(data)
        params: dict[str, WarningParam | ParseWarning] = {}
        for key, value in dict(data.get("params") or {}).items():
            if isinstance(value, dict):
                inner = cls.from_json(value)
                params[key] = inner if isinstance(inner, ParseWarning) else str(inner)
            else:
                params[key] = value
        try:
            return cls(str(data["code"]), **params)
        except (KeyError, IndexError, ValueError):
            return str(data.get("text", ""))


def _rebuild(code: str, params: dict[str, WarningParam | ParseWarning]) -> ParseWarning:
    return ParseWarning(code, **params)
