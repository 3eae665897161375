"""The XLSX export's rows written as openpyxl writes them, at a fraction of its cost (#13
point 3).

openpyxl's write-only sheet binds every value to a cell object and writes each cell through
a few lxml calls: ~10 µs a cell, 15 s for 100,000 rows of 16 columns. The export's values
are of four kinds only (a text, a whole number, a date, nothing), so each row is written here
as text, the XML openpyxl writes (`openpyxl.cell._writer.lxml_write_cell` as lxml serializes
it: a text inline, escaped as lxml escapes it; a number and a date as a value, a date with
the date format's style; nothing as no cell; a text checked and cut as openpyxl checks it),
to a temporary file (memory stays flat). openpyxl writes the workbook around the rows
(widths, frozen header, filter, styles, the header row); when it is saved, the rows are put
into its sheet, just before the sheet's data ends. The tests compare the result with
openpyxl's own, part for part.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# openpyxl's limit of a text cell (Excel's: 32,767 characters).
_LONGEST_TEXT = 32767
# What a text needs done to it besides being written: characters lxml escapes (& < > and
# CR, which XML would read as a line end), those openpyxl refuses, those XML cannot hold.
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_DATA_END = b"</sheetData>"
_EXACT = 10**15
_BLOCK = 64 * 1024


class SheetRows:
    """The rows after a write-only sheet's header, kept as XML until the workbook is saved."""

    def __init__(self, sheet: WriteOnlyWorksheet, date_format: str, first_row: int) -> None:
        workbook = sheet.parent
        assert workbook is not None
        if workbook.iso_dates:
            raise ValueError("dates are written as numbers, as openpyxl writes them by default")
        self.date_format = date_format
        self.date_style = ""  # registered at the first date, as openpyxl's cells register it
        self.epoch = workbook.epoch
        self.serials: dict[date, str] = {}  # a day as written (days repeat a lot)
        self.letters: list[str] = []
        self.next_row = first_row
        self.sheet = sheet
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `close`)

    def append(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of texts, whole numbers, dates and None (no cell)."""
        write = self.file.write
        for values in rows:
            # As openpyxl's sheet is written (ASCII): any other character as a reference.
            write(self._row(values, f"{self.next_row}").encode("ascii", "xmlcharrefreplace"))
            self.next_row += 1

    def save(self, workbook: Workbook, target: IO[bytes]) -> None:
        """The workbook (openpyxl's: small, its sheet holds the header) into `target`, the
        rows in its sheet."""
        saved = BytesIO()
        workbook.save(saved)
        sheet_part = self.sheet.path.lstrip("/")
        try:
            with (
                zipfile.ZipFile(saved) as source,
                zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
            ):
                for info in source.infolist():
                    if info.filename != sheet_part:
                        archive.writestr(info, source.read(info))
                        continue
                    head, found, tail = source.read(info).rpartition(_SHEET_DATA_END)
                    if not found:
                        raise ValueError("openpyxl wrote a sheet without its data")
                    with archive.open(info, "w", force_zip64=True) as part:
                        part.write(head)
                        self.file.seek(0)
                        shutil.copyfileobj(self.file, part, _BLOCK)
                        part.write(found + tail)
        finally:
            self.close()

    def close(self) -> None:
        """The rows' temporary file removed (saved or not)."""
        self.file.close()

    def _row(self, values: Sequence[Any], number: str) -> str:
        """A row as openpyxl's `write_row` and `lxml_write_cell` write it."""
        cells = [f'<row r="{number}">']
        for letter, value in zip(self._letters(len(values)), values, strict=False):
            kind = type(value)
            if value is None:
                continue
            if kind is str:
                cells.append(_text_cell(letter + number, value))
            elif kind is int:
                # As openpyxl writes a number ("%.16g"): an integer of up to 15 digits as is.
                digits = f"{value}" if -_EXACT < value < _EXACT else safe_string(value)
                cells.append(f'<c r="{letter}{number}" t="n"><v>{digits}</v></c>')
            elif kind is date:
                serial = self._serial(value)  # first: it registers the style
                cells.append(
                    f'<c r="{letter}{number}" s="{self.date_style}" t="n"><v>{serial}</v></c>'
                )
            else:
                raise TypeError(f"an export writes texts, numbers and dates, not {kind}")
        cells.append("</row>")
        return "".join(cells)

    def _letters(self, count: int) -> list[str]:
        letters = self.letters
        while len(letters) < count:
            letters.append(get_column_letter(len(letters) + 1))
        return letters

    def _serial(self, day: date) -> str:
        serial = self.serials.get(day)
        if serial is None:
            if not self.date_style:
                first: Any = day
                cell = WriteOnlyCell(self.sheet, value=first)
                cell.number_format = self.date_format
                self.date_style = f"{cell.style_id}"
            serial = self.serials[day] = safe_string(to_excel(day, self.epoch))
        return serial


def _text_cell(reference: str, value: str) -> str:
    if not value:
        return f'<c r="{reference}" t="inlineStr"></c>'
    if len(value) > _LONGEST_TEXT or _SPECIAL.search(value):
        value = _checked(value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    text = _escaped(value) if _SPECIAL.search(value) else value
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _checked(value: str) -> str:
    """The text as openpyxl keeps it (`Cell.check_string`: cut to its limit, refused with
    a control character) and lxml takes it (refused if XML cannot hold it)."""
    value = value[:_LONGEST_TEXT]
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    if _NOT_XML.search(value):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control"
            " characters"
        )
    return value


def _escaped(value: str) -> str:
    """The text as lxml writes it in an element (CR kept: XML would read it as a line end)."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )
