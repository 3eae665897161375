"""The one exception the parser lets out: a file that cannot be taken as a trip report."""

from __future__ import annotations


class ReportError(Exception):
    """A report that cannot be parsed, with one human-readable line and a machine `code`.

    Codes: empty, too_large, too_large_unpacked, unsupported_type, undecodable, broken_docx,
    broken_pdf, encrypted_pdf, scanned_pdf, not_a_report.
    """

    def __init__(self, message: str, *, code: str) -> None:
        # One line only: the CLI prints it on stderr and the web UI in a flash message.
        self.message = " ".join(message.split())
        self.code = code
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"ReportError({self.message!r}, code={self.code!r})"
