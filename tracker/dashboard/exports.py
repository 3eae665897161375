"""The dashboard's current list as CSV (UTF-8 with a BOM, so Excel shows Armenian) or XLSX,
written a chunk of rows at a time (tracker/dashboard/export_rows.py reads them): the CSV is
streamed as it is written; the XLSX is written (XlsxWriter's constant-memory mode: a row at a
time to a file) to a temporary file that is then streamed and removed. Memory holds one
chunk, however long the list.

The columns are the progress report's table (#14): the task, its report, owners and
departments, status, deadline (and as written), completion date, what was done, evidence,
expected result, cancel reason, the requests for more time with their decisions, days
overdue and the last escalation. No text cell can run as a formula: one that starts (after
spaces) with = + - @ tab or CR is behind a single quote (OWASP), and the XLSX binds every
text as a string; dates are date cells, numbers numbers.

XlsxWriter is imported when an XLSX is written, not with this module (the audit log imports
`spreadsheet_safe`; every `tracker` command starts without it).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from tracker.dashboard.export_rows import ExportValues, ExtensionEntry
from tracker.models import ExtensionStatus, TaskStatus


@dataclass(frozen=True)
class Labels:
    """The statuses as the reader of the export reads them (in their language; the views
    translate them once, before the rows stream)."""

    status: Callable[[TaskStatus], str]
    extension: Callable[[ExtensionStatus], str]


# A spreadsheet reads a cell starting with one of these as a formula (OWASP's CSV injection),
# also after spaces (a spreadsheet may trim them when it opens a CSV).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The columns, in the order of the views' headers: how wide (in characters) in the XLSX.
COLUMN_WIDTHS = (8, 48, 24, 28, 24, 16, 12, 20, 14, 40, 40, 36, 28, 40, 10, 14)
# The columns that hold dates (written as dates, not texts) and numbers; the rest is text.
_DATE_COLUMNS = (6, 8, 15)
_NUMBER_COLUMNS = (0, 14)
_TEXT_COLUMNS = tuple(
    index
    for index in range(len(COLUMN_WIDTHS))
    if index not in _DATE_COLUMNS and index not in _NUMBER_COLUMNS
)
DATE_FORMAT = "yyyy-mm-dd"

# An XLSX this small stays in memory; a larger one goes to a file in the instance folder.
XLSX_IN_MEMORY = 1024 * 1024
# The bytes of an XLSX sent at a time.
XLSX_BLOCK = 64 * 1024
# XlsxWriter's options: each text written as a string (never read as a formula, a number or
# a link), the rows and the sheet in files rather than in memory.
_XLSX_OPTIONS = {
    "constant_memory": True,
    "in_memory": False,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, kept as text by a leading quote;
    anything else (numbers, negative ones included; dates) as it is."""
    return _text(value) if isinstance(value, str) else value


_FORMULA_FIRST = frozenset(FORMULA_STARTS)
# The first characters of a text `_text` may change: a formula's, or a space a formula may
# follow (str.isspace's spaces end at U+3000, the ideographic space: a test holds it).
_MAYBE_FORMULA = _FORMULA_FIRST | {
    character for character in map(chr, range(0x3001)) if character.isspace()
}


def _text(value: str) -> str:
    """A text cell that starts (after any spaces) like a formula, behind a single quote
    (OWASP); the export's hot path: a million cells, most of them checked by one lookup."""
    first = value[:1]
    if first in _FORMULA_FIRST or (first.isspace() and value.lstrip()[:1] in _FORMULA_FIRST):
        return "'" + value
    return value


def extensions_cell(
    entries: Iterable[ExtensionEntry], label: Callable[[ExtensionStatus], str]
) -> str:
    """The requests for more time in one readable cell, a line each, oldest first, with
    why it was asked for (as the progress report shows it) and the decision's note:
    "2026-05-01 → 2026-07-01 (contractor late), refused: budget year ends"."""
    lines = []
    for entry in entries:
        current = entry.current_deadline.isoformat() if entry.current_deadline else "—"
        asked = f"{current} → {entry.proposed_deadline.isoformat()}"
        reason = " ".join(entry.reason.split())  # one line: the cell has a line a request
        if reason:
            asked = f"{asked} ({reason})"
        line = f"{asked}, {label(entry.status)}"
        lines.append(f"{line}: {entry.decision_note}" if entry.decision_note else line)
    return "\n".join(lines)


def _status_cells(labels: Labels) -> dict[TaskStatus, str]:
    return {status: _text(labels.status(status)) for status in TaskStatus}


class _Days(dict[date | None, Any]):
    """Each day as a format writes it (`write`), worked out once per export: a list of
    100,000 rows has a few thousand days."""

    def __init__(self, write: Callable[[date], Any]) -> None:
        super().__init__({None: None})
        self.write = write

    def __missing__(self, day: date) -> Any:
        written = self[day] = self.write(day)
        return written


def _cells(
    chunk: Sequence[ExportValues],
    labels: Labels,
    statuses: dict[TaskStatus, str],
    days: dict[date | None, Any],
) -> list[list[Any]]:
    """The chunk's rows as cells, in the views' columns, the days as `days` holds them. The
    export's hot loop (a million cells): a text goes through `_text` only in a row where one
    may start like a formula."""
    maybe, extension = _MAYBE_FORMULA, labels.extension
    lines = []
    for (
        id_,
        title,
        report,
        owners,
        departments,
        status,
        deadline,
        written,
        completed_on,
        done,
        evidence,
        wanted,
        why,
        asked,
        overdue,
        escalated,
    ) in chunk:
        line = [
            id_,
            title,
            report,
            owners,
            departments,
            statuses[status],
            days[deadline],
            written,
            days[completed_on],
            done,
            evidence,
            wanted,
            why,
            extensions_cell(asked, extension) if asked else "",
            overdue,
            days[escalated],
        ]
        firsts = (title[:1], report[:1], owners[:1], departments[:1], written[:1], done[:1])
        if asked or not maybe.isdisjoint((*firsts, evidence[:1], wanted[:1], why[:1])):
            _guard(line)
        lines.append(line)
    return lines


def _guard(line: list[Any]) -> None:
    """Titles, names and notes come from uploaded reports and typed forms: never formulas."""
    for index in _TEXT_COLUMNS:
        line[index] = _text(line[index])


def csv_chunks(
    chunks: Iterable[Sequence[ExportValues]], headers: Sequence[str], labels: Labels
) -> Iterator[bytes]:
    """The CSV, encoded: the BOM and the headers, then each chunk of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    buffer.write("\ufeff")
    writer.writerow([_text(header) for header in headers])
    yield flush()
    statuses, days = _status_cells(labels), _Days(date.isoformat)
    for chunk in chunks:
        writer.writerows(_cells(chunk, labels, statuses, days))
        yield flush()


def write_xlsx(
    chunks: Iterable[Sequence[ExportValues]],
    headers: Sequence[str],
    sheet_title: str,
    labels: Labels,
    target: IO[bytes],
    folder: Path,
) -> int:
    """The workbook written into `target` by XlsxWriter (in constant-memory mode: each row
    goes to a file in `folder` once the next one starts), with its columns' widths, the
    header row frozen and an autofilter over the rows; how many rows it holds. XlsxWriter's
    files are in a folder of their own, removed however the writing ends."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        options = {**_XLSX_OPTIONS, "tmpdir": scratch}
        # Closed on the way out, also when a chunk fails: its files are closed before their
        # folder goes (a partial workbook is written into `target`, which the caller drops).
        with xlsxwriter.Workbook(target, options) as workbook:
            sheet = workbook.add_worksheet(sheet_title[:31])
            for index, width in enumerate(COLUMN_WIDTHS[: len(headers)]):
                sheet.set_column(index, index, width)
            sheet.freeze_panes(1, 0)
            for index, header in enumerate(headers):
                sheet.write_string(0, index, _text(header))
            rows = _write_rows(
                sheet, workbook.add_format({"num_format": DATE_FORMAT}), chunks, labels
            )
            sheet.autofilter(0, 0, rows, max(len(headers), 1) - 1)
    return rows


def _write_rows(
    sheet: Any, day_format: Any, chunks: Iterable[Sequence[ExportValues]], labels: Labels
) -> int:
    """Each chunk's rows after the header, in order (a row is written out once the next one
    starts): texts as strings (an empty one as no cell), numbers as numbers, dates as date
    cells; how many rows."""
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    statuses, days = _status_cells(labels), _Days(_same)
    row = 0
    for chunk in chunks:
        for line in _cells(chunk, labels, statuses, days):
            row += 1
            for index in _TEXT_COLUMNS:
                if text := line[index]:
                    write_string(row, index, text)
            for index in _NUMBER_COLUMNS:
                if (number := line[index]) is not None:
                    write_number(row, index, number)
            for index in _DATE_COLUMNS:
                if (day := line[index]) is not None:
                    write_datetime(row, index, day, day_format)
    return row


def _same(value: date) -> date:
    return value


def xlsx_file(
    chunks: Iterable[Sequence[ExportValues]],
    headers: Sequence[str],
    sheet_title: str,
    labels: Labels,
    folder: Path,
) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file in `folder` (removed when it is closed), read from
    its start; and how many rows it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY, dir=str(folder))  # noqa: SIM115
    try:
        count = write_xlsx(chunks, headers, sheet_title, labels, file, folder)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file, count


def file_blocks(file: IO[bytes], size: int = XLSX_BLOCK) -> Iterator[bytes]:
    """A file's bytes a block at a time; the file closed (so removed) at the end, or when
    the client goes away."""
    try:
        while block := file.read(size):
            yield block
    finally:
        file.close()
