"""The dashboard's current list as CSV (UTF-8 with a BOM, so Excel shows Armenian) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date

from openpyxl import Workbook

from tracker.dashboard.services import ListRow
from tracker.models import TaskStatus

# A status as the reader of the export reads it (in their language; the views pass it).
StatusLabel = Callable[[TaskStatus], str]

# A spreadsheet reads a cell starting with one of these as a formula (OWASP's CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, kept as text by a leading quote;
    anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _table(
    rows: Sequence[ListRow], headers: Sequence[str], status_label: StatusLabel
) -> list[list[object]]:
    table: list[list[object]] = [list(headers)]
    # Titles and names come from uploaded reports and typed forms: never run as formulas.
    for row in rows:
        task = row.task
        report = task.report
        line: list[object] = [
            task.id,
            task.title,
            (report.destination or report.source_filename) if report else "",
            ", ".join(owner.name for owner in task.owners),
            ", ".join(row.departments),
            status_label(task.status),
            task.deadline,
            task.deadline_text or "",
            row.days_overdue,
            row.last_escalation.date() if row.last_escalation else None,
        ]
        table.append([spreadsheet_safe(value) for value in line])
    return table


def to_csv(rows: Sequence[ListRow], headers: Sequence[str], status_label: StatusLabel) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _table(rows, headers, status_label):
        writer.writerow([value.isoformat() if isinstance(value, date) else value for value in line])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(
    rows: Sequence[ListRow], headers: Sequence[str], sheet_title: str, status_label: StatusLabel
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for line in _table(rows, headers, status_label):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
