"""PDF files with a text layer: page text without running headers and footers, lines re-joined."""

from __future__ import annotations

import io
from collections.abc import Iterable

from pypdf import PasswordType, PdfReader

from .blocks import Block, Line, normalize_line
from .errors import ParseWarning, ReportError
from .layout import is_wrapped, reflow, strip_page_furniture

MAX_PAGES = 500


def read_pdf(data: bytes) -> tuple[list[Block], list[str]]:
    """Lines of the PDF, and warnings about pages that could not be read."""
    try:
        # strict=False is pypdf's default: it repairs what it can and logs (never raises or
        # warns) about it, which suits files exported by many different office suites.
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader)
        page_count = len(reader.pages)
    except ReportError:
        raise
    except Exception as exc:
        # pypdf raises PdfReadError but also ValueError, KeyError, TypeError, RecursionError
        # and others on damaged files; to the user they all mean the same.
        raise ReportError("broken PDF: the file could not be read", code="broken_pdf") from exc
    if page_count > MAX_PAGES:
        raise ReportError(f"PDF too long: {page_count} pages", code="too_large")
    pages, warnings = _page_texts(reader)
    lines = join_pages(strip_page_furniture(pages))
    if not any(character.isalpha() for line in lines for character in line):
        raise ReportError("scanned PDF: no text layer", code="scanned_pdf")
    return [Line(line) for line in reflow(lines)], warnings


def join_pages(pages: list[list[str]]) -> list[str]:
    """One list of lines; a page break is a paragraph break unless a sentence runs across it."""
    width = max((len(line) for page in pages for line in page), default=0)
    lines: list[str] = []
    for page in pages:
        text_lines = [line for line in page if line]
        if lines and text_lines and not is_wrapped(lines[-1], text_lines[0], width):
            lines.append("")
        lines.extend(page)
    return lines


def _decrypt(reader: PdfReader) -> None:
    try:
        # Many official PDFs are "encrypted" only to restrict printing, with an empty password.
        opened = reader.decrypt("")
    except Exception as exc:
        # AES needs the optional `cryptography` package, which pypdf reports as DependencyError.
        raise ReportError(
            "encrypted PDF: it cannot be read without a password", code="encrypted_pdf"
        ) from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise ReportError(
            "encrypted PDF: it cannot be read without a password", code="encrypted_pdf"
        )


def _page_texts(reader: PdfReader) -> tuple[list[list[str]], list[str]]:
    pages: list[list[str]] = []
    warnings: list[str] = []
    for number in range(len(reader.pages)):
        try:
            text = _page_text(reader, number)
        except Exception:
            # One damaged page should not cost the whole report; the reviewer is told.
            warnings.append(ParseWarning("pdf_page_unreadable", page=number + 1))
            text = ""
        pages.append(_without_repeated_blanks(normalize_line(line) for line in text.splitlines()))
    return pages, warnings


def _page_text(reader: PdfReader, number: int) -> str:
    page = reader.pages[number]
    try:
        # Layout mode keeps the vertical gaps between paragraphs as blank lines, which is
        # what tells a paragraph end from a line that merely wrapped.
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:
        # Layout mode is the younger code path in pypdf; plain mode reads more odd files.
        return page.extract_text() or ""


def _without_repeated_blanks(lines: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return kept
