"""The dashboard's current list as CSV (UTF-8 with a BOM, so Excel shows Armenian) or XLSX,
written a chunk of rows at a time (tracker/dashboard/export_rows.py reads them): the CSV is
streamed as it is written; the XLSX is written (openpyxl's write-only mode) to a temporary
file that is then streamed and removed. Memory holds one chunk, however long the list.

openpyxl is imported when an XLSX is written, not with this module (the audit log imports
`spreadsheet_safe`; every `tracker` command starts without openpyxl).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from tracker.dashboard.export_rows import ExportRow
from tracker.models import TaskStatus

# A status as the reader of the export reads it (in their language; the views pass it).
StatusLabel = Callable[[TaskStatus], str]

# A spreadsheet reads a cell starting with one of these as a formula (OWASP's CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# An XLSX this small stays in memory; a larger one goes to a file in the instance folder.
XLSX_IN_MEMORY = 1024 * 1024
# The bytes of an XLSX sent at a time.
XLSX_BLOCK = 64 * 1024


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, kept as text by a leading quote;
    anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _text(value: str) -> str:
    """`spreadsheet_safe` for a text cell (the export's hot path: a million cells)."""
    return "'" + value if value[:1] in _FORMULA_FIRST else value


def _line(row: ExportRow, status_label: StatusLabel) -> list[object]:
    # Titles and names come from uploaded reports and typed forms: never run as formulas.
    return [
        row.id,
        _text(row.title),
        _text(row.report),
        _text(row.owners),
        _text(row.departments),
        _text(status_label(row.status)),
        row.deadline,
        _text(row.deadline_text),
        row.days_overdue,
        row.last_escalation,
    ]


def _csv_line(row: ExportRow, status_label: StatusLabel) -> list[object]:
    line = _line(row, status_label)
    if row.deadline is not None:
        line[6] = row.deadline.isoformat()
    if row.last_escalation is not None:
        line[9] = row.last_escalation.isoformat()
    return line


def csv_chunks(
    chunks: Iterable[Sequence[ExportRow]], headers: Sequence[str], status_label: StatusLabel
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
    writer.writerow(headers)
    yield flush()
    for chunk in chunks:
        writer.writerows([_csv_line(row, status_label) for row in chunk])
        yield flush()


def write_xlsx(
    chunks: Iterable[Sequence[ExportRow]],
    headers: Sequence[str],
    sheet_title: str,
    status_label: StatusLabel,
    target: IO[bytes],
) -> int:
    """The workbook written into `target` (openpyxl's write-only mode: rows go to disk as
    they are appended); how many rows it holds."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(list(headers))
    count = 0
    for chunk in chunks:
        for row in chunk:
            sheet.append(_line(row, status_label))
        count += len(chunk)
    workbook.save(target)
    return count


def xlsx_file(
    chunks: Iterable[Sequence[ExportRow]],
    headers: Sequence[str],
    sheet_title: str,
    status_label: StatusLabel,
    folder: Path,
) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file in `folder` (removed when it is closed), read from
    its start; and how many rows it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY, dir=str(folder))  # noqa: SIM115
    try:
        count = write_xlsx(chunks, headers, sheet_title, status_label, file)
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
