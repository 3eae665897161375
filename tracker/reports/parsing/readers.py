"""Bytes of an uploaded file to blocks of text, whatever the format (.txt, .docx, .doc, .pdf)."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .blocks import Block, Line, normalize_line
from .errors import ReportError
from .layout import looks_hard_wrapped, reflow

if TYPE_CHECKING:
    from .ocr import OcrReading

SUPPORTED_SUFFIXES = (".txt", ".docx", ".doc", ".pdf")
# Read only when OCR is asked for (`read_document(..., ocr=True)`).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Extracted:
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...] = field(default=())
    # Set when the text was read from a scan by OCR: how sure Tesseract was of each word.
    ocr: OcrReading | None = None


def read_document(data: bytes, filename: str, *, max_bytes: int, ocr: bool = False) -> Extracted:
    """The text of a report file, or a ReportError saying why it cannot be read.

    With `ocr`, a PDF with no text layer is read by OCR (Tesseract) instead of being refused
    as "scanned_pdf"; OCR takes seconds a page, so the caller decides where it runs."""
    _check_content(data, max_bytes)
    suffix = os.path.splitext(filename)[1].lower()
    reader = _READERS.get(suffix)
    if reader is None and ocr and suffix in IMAGE_SUFFIXES:
        reader = _read_image
    if reader is None:
        shown = suffix or "no extension"
        raise ReportError(
            f"unsupported file type ({shown}): upload a .txt, .docx, .doc or .pdf file",
            code="unsupported_type",
            suffix=suffix,
        )
    return reader(data, max_bytes, ocr)


def _check_content(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise ReportError(
            f"file too large: {len(data)} bytes, the limit is {max_bytes}",
            code="too_large",
            size=len(data),
            limit=max_bytes,
        )
    if not data.strip():
        raise ReportError("the file is empty", code="empty")


# Each reader takes the file's bytes, the size limit and whether OCR may be used.
_Reader = Callable[[bytes, int, bool], Extracted]


def _read_txt(data: bytes, max_bytes: int, ocr: bool) -> Extracted:
    return Extracted(tuple(read_text(data)))


# python-docx and pypdf are imported for their own files only: every `tracker` command and
# the parse of a .txt would otherwise pay for both.
def _read_docx(data: bytes, max_bytes: int, ocr: bool) -> Extracted:
    from .docx_reader import read_docx

    return Extracted(tuple(read_docx(data, max_bytes=max_bytes)))


def _read_doc(data: bytes, max_bytes: int, ocr: bool) -> Extracted:
    from .doc_reader import read_doc

    return Extracted(tuple(read_doc(data, max_bytes=max_bytes)))


def _read_pdf(data: bytes, max_bytes: int, ocr: bool) -> Extracted:
    from .pdf_reader import read_pdf

    try:
        blocks, warnings = read_pdf(data)
    except ReportError as error:
        if error.code != "scanned_pdf" or not ocr:
            raise
        from .ocr import read_scanned_pdf

        reading = read_scanned_pdf(data)
        return Extracted(reading.blocks, (), reading)
    return Extracted(tuple(blocks), tuple(warnings))


def _read_image(data: bytes, max_bytes: int, ocr: bool) -> Extracted:
    from .ocr import read_scanned_image_file

    reading = read_scanned_image_file(data)
    return Extracted(reading.blocks, (), reading)


# Pictures are not here: they are read only when OCR is asked for (`read_document`).
_READERS: dict[str, _Reader] = {
    ".txt": _read_txt,
    ".docx": _read_docx,
    ".doc": _read_doc,
    ".pdf": _read_pdf,
}


def read_text(data: bytes) -> list[Line]:
    lines = [normalize_line(line) for line in decode_text(data).splitlines()]
    if looks_hard_wrapped(lines):
        lines = reflow(lines)
    return [Line(line) for line in lines]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), or UTF-16/32 with one."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode(data[len(mark) :], encoding)
    return _decode(data, "utf-8")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"the text file is not valid {encoding.upper()}; save it as UTF-8 and upload it again",
            code="undecodable",
        ) from exc
