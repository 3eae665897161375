"""The dashboard's CSV and XLSX exports, read a chunk at a time (#13 point 3), on a migrated
SQLite and PostgreSQL database: every row of the list across chunks, in the list's order,
with the same columns as the list; a manager's export holds only their departments; a cell
a spreadsheet would run as a formula is kept as text in both formats; the export is in the
audit log with its real number of rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from tests.conftest import TODAY, TrackerClient
from tracker.audit import AuditKind
from tracker.dashboard import export_rows, exports, services
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Department,
    ExtensionRequest,
    ExtensionStatus,
    Notification,
    Role,
    Task,
    TaskStatus,
    User,
)
from tracker.notifications.policy import Kind

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-3+4",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and clock fixtures, on each migrated database."""
    return any_database_app


@dataclass
class Bureau:
    north: Department
    south: Department
    manager: User
    staff: User
    tasks: list[Task]  # 25, oldest deadline first
    north_ids: set[int]  # the tasks of the north (an owner there, or its own department)


@pytest.fixture
def bureau(clock, make_department, make_user, make_task, make_report) -> Bureau:
    """25 tasks: the north's, the south's, shared ones, one without an owner; a report;
    escalations of some."""
    root = make_department("Administration")
    north = make_department("North", parent=root)
    unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    ani = make_user(department=unit, name="Ani")
    bob = make_user(department=north, name="Bob")
    lilit = make_user(department=south, name="Lilit")
    report = make_report("Tbilisi")
    tasks, north_ids = [], set()
    for number in range(25):
        owners = [[ani], [lilit], [bob, lilit], [lilit, ani], []][number % 5]
        task = make_task(
            *owners, title=f"Task {number:02d}", deadline=TODAY - timedelta(days=60 - number)
        )
        if not owners:
            task.department_id = north.id
        if number % 4 == 0:
            task.report = report
        if number % 3 == 0:
            for day in (1, 5):
                db.session.add(
                    Notification(
                        task_id=task.id,
                        kind=Kind.ESCALATION,
                        level=day,
                        deadline=task.deadline,
                        planned_for=TODAY,
                        created_at=datetime(2026, 6, day, 9, tzinfo=UTC),
                    )
                )
        tasks.append(task)
        if number % 5 != 1:
            north_ids.add(task.id)
    make_task(ani, title="A draft", status=TaskStatus.DRAFT, deadline=TODAY)  # never listed
    manager = make_user(Role.MANAGER, department=north, name="North Head")
    staff = make_user(Role.STAFF, department=root, name="Registry")
    db.session.commit()
    return Bureau(north, south, manager, staff, tasks, north_ids)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Exports read 4 rows at a time: 25 tasks cross six chunk boundaries."""
    monkeypatch.setattr(export_rows, "EXPORT_CHUNK", 4)
    return 4


def signed_in(app: Flask, user: User) -> TrackerClient:
    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    assert browser.login(user.email).status_code == 302
    return browser


def csv_table(browser: TrackerClient, query: str) -> list[dict[str, str]]:
    response = browser.get(f"/dashboard/export.csv?{query}")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == (f'attachment; filename="tasks-{TODAY}.csv"')
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def xlsx_table(browser: TrackerClient, query: str) -> list[dict[str, object]]:
    response = browser.get(f"/dashboard/export.xlsx?{query}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (f'attachment; filename="tasks-{TODAY}.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert sheet is not None and sheet.title == "Tasks"
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)  # no formula anywhere
    header, *rows = list(sheet.iter_rows(values_only=True))
    # As Excel reads a text: with its escapes of control characters (_x000D_ a CR) undone.
    return [
        dict(zip(header, map(read, row), strict=True))  # type: ignore[arg-type]
        for row in rows
    ]


def read(value: object) -> object:
    return unescape(value) if isinstance(value, str) else value


def recorded_rows() -> list[tuple[str, int]]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.kind == AuditKind.DATA_EXPORTED.value)
    return [(e.details["format"], e.details["rows"]) for e in db.session.scalars(query)]


def test_every_row_across_chunks_in_the_lists_order(app, bureau, small_chunks) -> None:
    staff = signed_in(app, bureau.staff)
    expected = [str(task.id) for task in bureau.tasks]  # the list's order: deadline, id
    table = csv_table(staff, "status=all")
    assert [row["Number"] for row in table] == expected
    shared = next(row for row in table if row["Task"] == "Task 02")  # Bob (North), Lilit
    assert shared["Owners"] == "Bob, Lilit" and shared["Department"] == "North, South"
    assert next(row for row in table if row["Task"] == "Task 04")["Department"] == "North"
    first = table[0]
    assert first["Report"] == "Tbilisi" and first["Deadline"] == str(TODAY - timedelta(60))
    assert first["Days overdue"] == "60" and first["Last escalation"] == "2026-06-05"
    assert table[1]["Report"] == "" and table[1]["Last escalation"] == ""

    sheet = xlsx_table(staff, "status=all&sort=-deadline")
    assert [row["Number"] for row in sheet] == [task.id for task in reversed(bureau.tasks)]
    oldest = sheet[-1]
    assert oldest["Deadline"] == datetime.combine(TODAY - timedelta(60), datetime.min.time())
    assert oldest["Last escalation"] == datetime(2026, 6, 5)  # a date cell, not a text
    assert recorded_rows() == [("csv", 25), ("xlsx", 25)]


def test_the_rows_are_read_a_chunk_at_a_time_a_few_queries_each(app, bureau) -> None:
    with app.test_request_context():
        filters = services.Filters(status="all")
        export = export_rows.prepare(bureau.staff, filters, TODAY, sort="deadline")
        assert export.count(db.session()) == 25
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            chunks = list(export.chunks(db.session(), size=10))
            one_chunk = len(statements)
            statements.clear()
            assert len(list(export.chunks(db.session(), size=25))) == 1
            # The rows, owners, escalations, requests for more time, departments, reports.
            assert len(statements) <= 6
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert [len(chunk) for chunk in chunks] == [10, 10, 5]
        assert one_chunk <= 6 + 2 * 3  # each further chunk: owners, escalations, requests
        limited = export_rows.prepare(bureau.staff, filters, TODAY, sort="deadline", limit=7)
        assert limited.count(db.session()) == 7
        assert sum(len(chunk) for chunk in limited.chunks(db.session(), size=3)) == 7


def test_a_managers_export_holds_only_their_departments(app, bureau, small_chunks) -> None:
    manager = signed_in(app, bureau.manager)
    table = csv_table(manager, "status=all")
    assert {int(row["Number"]) for row in table} == bureau.north_ids
    assert len(table) == 20 and "Task 01" not in {row["Task"] for row in table}
    sheet = xlsx_table(manager, "status=all")
    assert {row["Number"] for row in sheet} == bureau.north_ids
    # Another department narrows their list to the tasks it shares with theirs; it never
    # widens the scope.
    south = f"status=all&department={bureau.south.id}"
    shared = {task.id for number, task in enumerate(bureau.tasks) if number % 5 in (2, 3)}
    assert {int(row["Number"]) for row in csv_table(manager, south)} == shared
    assert {row["Number"] for row in xlsx_table(manager, south)} == shared
    assert recorded_rows() == [("csv", 20), ("xlsx", 20), ("csv", 10), ("xlsx", 10)]


def test_hostile_cells_are_text_in_both_formats(app, bureau, small_chunks) -> None:
    for task, hostile in zip(bureau.tasks, HOSTILE, strict=False):
        task.title = hostile
        task.deadline_text = hostile
    lilit = db.session.scalar(sa.select(User).where(User.name == "Lilit"))
    assert lilit is not None
    lilit.name = "@Lilit"
    db.session.commit()
    staff = signed_in(app, bureau.staff)
    expected = ["'" + hostile for hostile in HOSTILE]
    table = csv_table(staff, "status=all")
    assert [row["Task"] for row in table[: len(HOSTILE)]] == expected
    assert [row["As written"] for row in table[: len(HOSTILE)]] == expected
    assert table[1]["Owners"] == "'@Lilit"
    sheet = xlsx_table(staff, "status=all")
    assert [row["Task"] for row in sheet[: len(HOSTILE)]] == expected
    assert [row["As written"] for row in sheet[: len(HOSTILE)]] == expected
    assert sheet[1]["Owners"] == "'@Lilit"


def test_an_xlsx_spilled_to_disk_is_streamed_and_removed(
    app, bureau, small_chunks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "XLSX_IN_MEMORY", 1)  # on disk from its first byte
    monkeypatch.setattr(exports, "XLSX_BLOCK", 1024)
    staff = signed_in(app, bureau.staff)
    sheet = xlsx_table(staff, "status=all")
    assert len(sheet) == 25
    folder = Path(app.instance_path) / "tmp"
    assert list(folder.iterdir()) == []  # nothing left behind
    with app.test_request_context():
        export = export_rows.prepare(bureau.staff, services.Filters(status="all"), TODAY, sort="")
        labels = exports.Labels(str, str)
        file, count = exports.xlsx_file(
            export.chunks(db.session()), ["n"] * 16, "T", labels, folder
        )
    blocks = list(exports.file_blocks(file, 1024))
    assert count == 25 and len(blocks) > 1 and file.closed


def test_an_xlsx_the_client_leaves_is_closed_and_removed(
    app, bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that goes away after the first block: the workbook's file is closed (so
    removed) and XlsxWriter left nothing in the instance's folder."""
    monkeypatch.setattr(exports, "XLSX_IN_MEMORY", 1)  # on disk from its first byte
    files = []
    written = exports.xlsx_file

    def kept(*args: object) -> tuple[object, int]:
        file, count = written(*args)  # type: ignore[arg-type]
        files.append(file)
        return file, count

    monkeypatch.setattr(exports, "xlsx_file", kept)
    staff = signed_in(app, bureau.staff)
    response = staff.get("/dashboard/export.xlsx?status=all", buffered=False)
    first = next(iter(response.response))
    assert isinstance(first, bytes) and first.startswith(b"PK") and not files[0].closed
    response.close()
    assert files[0].closed
    assert list((Path(app.instance_path) / "tmp").iterdir()) == []


def test_a_task_without_a_deadline_or_a_department(app, clock, make_user, make_task) -> None:
    nowhere = make_user(name="Nomad")  # no department
    make_task(nowhere, title="Someday")
    staff = signed_in(app, make_user(Role.STAFF))
    [row] = csv_table(staff, "status=all")
    assert (row["Task"], row["Department"], row["Deadline"], row["Days overdue"]) == (
        "Someday",
        "",
        "",
        "0",
    )
    [cells] = xlsx_table(staff, "status=all")
    assert cells["Deadline"] is None and cells["Owners"] == "Nomad"


# --- The progress report's columns and formula injection (#14 point 4) --------------------

COLUMNS = [
    "Number",
    "Task",
    "Report",
    "Owners",
    "Department",
    "Status",
    "Deadline",
    "As written",
    "Completion date",
    "What was done",
    "Evidence",
    "Expected result",
    "Cancel reason",
    "Extension requests",
    "Days overdue",
    "Last escalation",
]


def xlsx_sheet(browser: TrackerClient, query: str):
    response = browser.get(f"/dashboard/export.xlsx?{query}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    return sheet


def test_the_exports_carry_the_progress_reports_columns(app, bureau, small_chunks) -> None:
    done, cancelled, asked = bureau.tasks[0], bureau.tasks[1], bureau.tasks[2]
    done.status = TaskStatus.DONE
    # 21:00 UTC on May 31st is June 1st in the organisation's time zone (Yerevan).
    done.completed_at = datetime(2026, 5, 31, 21, tzinfo=UTC)
    done.completion_note = "Roads repaired in three villages"
    done.evidence_url = "https://example.am/act-12"
    done.evidence_file = "abc123.pdf"
    done.evidence_filename = "act.pdf"
    done.expected_result = "Roads passable all year"
    cancelled.status = TaskStatus.CANCELLED
    cancelled.cancel_reason = "Merged with another recommendation"
    first_deadline = asked.deadline
    assert first_deadline is not None
    db.session.add_all(
        [
            ExtensionRequest(
                task_id=asked.id,
                requested_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
                current_deadline=first_deadline,
                proposed_deadline=date(2026, 7, 1),
                reason="Contractor late",
                status=ExtensionStatus.REFUSED,
                decided_at=datetime(2026, 5, 2, 9, tzinfo=UTC),
                decision_note="Budget year ends",
            ),
            ExtensionRequest(
                task_id=asked.id,
                requested_at=datetime(2026, 5, 3, 9, tzinfo=UTC),
                current_deadline=first_deadline,
                proposed_deadline=date(2026, 6, 20),
                status=ExtensionStatus.PENDING,
            ),
        ]
    )
    db.session.commit()
    base = app.config["TRACKER_BASE_URL"].rstrip("/")
    staff = signed_in(app, bureau.staff)
    table = {row["Number"]: row for row in csv_table(staff, "status=all")}
    assert list(next(iter(table.values()))) == COLUMNS
    row = table[str(done.id)]
    assert row["Status"] == "Done" and row["Completion date"] == "2026-06-01"
    assert row["What was done"] == "Roads repaired in three villages"
    assert row["Evidence"] == f"https://example.am/act-12\n{base}/tasks/{done.id}/evidence"
    assert row["Expected result"] == "Roads passable all year" and row["Days overdue"] == "0"
    assert table[str(cancelled.id)]["Cancel reason"] == "Merged with another recommendation"
    assert table[str(asked.id)]["Extension requests"] == (
        f"{first_deadline} → 2026-07-01 (Contractor late), refused: Budget year ends\n"
        f"{first_deadline} → 2026-06-20, waiting for a decision"
    )
    assert table[str(asked.id)]["Completion date"] == "" and table[str(asked.id)]["Evidence"] == ""

    cells = {row["Number"]: row for row in xlsx_table(staff, "status=all")}
    cell = cells[done.id]
    assert cell["Completion date"] == datetime(2026, 6, 1)  # a date cell
    assert cell["Evidence"] == f"https://example.am/act-12\n{base}/tasks/{done.id}/evidence"
    assert cells[asked.id]["Extension requests"] == table[str(asked.id)]["Extension requests"]
    assert cells[cancelled.id]["Cancel reason"] == "Merged with another recommendation"


def test_the_xlsx_has_widths_a_frozen_header_a_filter_and_date_cells(app, bureau) -> None:
    bureau.tasks[0].status = TaskStatus.DONE
    bureau.tasks[0].completed_at = datetime(2026, 6, 2, 9, tzinfo=UTC)
    db.session.commit()
    sheet = xlsx_sheet(signed_in(app, bureau.staff), "status=all")
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P26"  # the header and the 25 rows
    # As Excel shows a width: without the column's 5 pixels of padding (a character of
    # Calibri 11 is 7 pixels wide); neighbours of the same width are one range.
    widths = {
        column: round(dimension.width - 5 / 7, 2)
        for dimension in sheet.column_dimensions.values()
        for column in range(dimension.min, dimension.max + 1)
    }
    assert widths == dict(enumerate(exports.COLUMN_WIDTHS, start=1))
    assert (widths[1], widths[2], widths[16]) == (8, 48, 14)
    assert sheet.title == "Tasks"
    first = {header: cell for header, cell in zip(COLUMNS, sheet[2], strict=True)}
    for name in ("Deadline", "Completion date", "Last escalation"):
        cell = first[name]
        assert cell.is_date and cell.number_format == "yyyy-mm-dd", name
        assert isinstance(cell.value, datetime)
    assert first["Days overdue"].data_type == "n" and first["Number"].data_type == "n"


INJECTIONS = [
    *HOSTILE,
    "=1+1",
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\t-1",
    "\r+1",
    " =1+1",  # a leading space then a formula: a spreadsheet may trim it
    "  \t@x",
]


def test_formula_injection_in_every_text_column(app, bureau, small_chunks) -> None:
    """Titles, what was done, cancel reasons, as written, owners' names, decision notes:
    each case in CSV and XLSX is text behind a single quote, never a formula."""
    for task, hostile in zip(bureau.tasks, INJECTIONS, strict=False):
        task.title = hostile
        task.deadline_text = hostile
        task.completion_note = hostile
        task.cancel_reason = hostile
        task.expected_result = hostile
        task.evidence_url = hostile
    for number, name in enumerate(("Ani", "Bob", "Lilit")):
        person = db.session.scalar(sa.select(User).where(User.name == name))
        assert person is not None
        person.name = INJECTIONS[number * 4]
    db.session.add(
        ExtensionRequest(
            task_id=bureau.tasks[0].id,
            current_deadline=None,
            proposed_deadline=date(2026, 7, 1),
            status=ExtensionStatus.REFUSED,
            decision_note="=HYPERLINK(1)",
        )
    )
    db.session.commit()
    staff = signed_in(app, bureau.staff)
    text_columns = [
        "Task",
        "Owners",
        "As written",
        "What was done",
        "Evidence",
        "Expected result",
        "Cancel reason",
    ]
    table = csv_table(staff, "status=all")
    for row, hostile in zip(table, INJECTIONS, strict=False):
        for column in text_columns:
            if row[column]:
                assert row[column].startswith("'"), (column, row[column])
        assert row["Task"] == "'" + hostile
    # Inside a cell a formula is only text: the cell starts with the current deadline.
    assert table[0]["Extension requests"] == "— → 2026-07-01, refused: =HYPERLINK(1)"
    sheet = xlsx_sheet(staff, "status=all")
    header = [cell.value for cell in sheet[1]]
    hostile_rows = list(sheet.iter_rows(min_row=2, max_row=len(INJECTIONS) + 1))
    for cells, hostile in zip(hostile_rows, INJECTIONS, strict=True):
        for column in text_columns:
            cell = cells[header.index(column)]
            if cell.value is not None:
                assert cell.data_type == "s" and str(cell.value).startswith("'"), column
        assert read(cells[header.index("Task")].value) == "'" + hostile
    for cells in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in cells)


def test_an_error_code_or_a_formula_stays_a_string_in_the_xlsx(app, bureau) -> None:
    """openpyxl binds "#N/A" as an error (and "=..." as a formula, which only ever arrives
    quoted): the export writes text as strings; a negative number stays a number."""
    bureau.tasks[0].title = "#N/A"
    db.session.commit()
    sheet = xlsx_sheet(signed_in(app, bureau.staff), "status=all")
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("#N/A", "s")
    folder = Path(app.instance_path) / "raw"
    row = export_rows.ExportRow(
        1, "=1+1", "", "", "", TaskStatus.OPEN, None, "", None, "", "", "", "", (), -3, None
    )
    file, count = exports.xlsx_file([[row]], COLUMNS, "T", exports.Labels(str, str), folder)
    with file:
        cells = load_workbook(io.BytesIO(file.read())).active
    assert cells is not None and count == 1
    assert (cells["B2"].value, cells["B2"].data_type) == ("'=1+1", "s")
    assert (cells["O2"].value, cells["O2"].data_type) == (-3, "n")  # a number stays one


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("\n+1", "'\n+1"),
        ("   ", "   "),
        ("", ""),
        ("Roads", "Roads"),
        ("a=1", "a=1"),
        (" Roads", " Roads"),
        ("'=1", "'=1"),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value: object, safe: object) -> None:
    assert exports.spreadsheet_safe(value) == safe


def test_the_extension_requests_cell() -> None:
    entries = [
        export_rows.ExtensionEntry(
            date(2026, 5, 1), date(2026, 7, 1), ExtensionStatus.REFUSED, "no budget"
        ),
        export_rows.ExtensionEntry(None, date(2026, 8, 1), ExtensionStatus.APPROVED, ""),
    ]
    assert exports.extensions_cell(entries, str) == (
        "2026-05-01 → 2026-07-01, refused: no budget\n— → 2026-08-01, approved"
    )
    assert exports.extensions_cell([], str) == ""


def test_the_extension_requests_cell_says_why_more_time_was_asked_for() -> None:
    entry = export_rows.ExtensionEntry(
        None, date(2026, 8, 1), ExtensionStatus.PENDING, "", reason="Partners\n answer late"
    )
    assert exports.extensions_cell([entry], str) == "— → 2026-08-01 (Partners answer late), pending"


def test_the_xlsx_writer_binds_text_as_strings_even_unquoted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The writer does not rely on the quote: a text a spreadsheet would read as a formula
    or an error is written as a cell of type string."""
    monkeypatch.setattr(exports, "_text", lambda value: value)
    row = export_rows.ExportRow(
        1, "=1+1", "#DIV/0!", "", "", TaskStatus.OPEN, None, "", None, "", "", "", "", (), 0, None
    )
    file, _count = exports.xlsx_file([[row]], COLUMNS, "T", exports.Labels(str, str), tmp_path)
    with file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    assert sheet is not None
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+1", "s")
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("#DIV/0!", "s")


# --- Rows read with their names resolved by the database, written by XlsxWriter (#13
# point 3) ----------------------------------------------------------------------------------


def test_owners_and_their_departments_a_to_z_however_they_were_added(
    app, clock, make_department, make_user, make_task, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owners' names come from their ids (the database joins them in no order): A to Z,
    their departments A to Z and each once, an owner without a department adds none; a
    task without owners shows its own department."""
    south, unit = make_department("South"), make_department("North unit")
    zara = make_user(department=south, name="Zara")  # the lowest id: first in the table
    mher = make_user(name="Mher")  # no department
    quoted = make_user(department=unit, name='Petrosyan, "Ani"')
    boss = make_user(department=south, name="=Boss")
    make_task(zara, mher, quoted, title="Three owners", deadline=TODAY)
    make_task(zara, boss, title="One department twice", deadline=TODAY + timedelta(1))
    make_task(mher, title="An owner without a department", deadline=TODAY + timedelta(2))
    make_task(title="Nobody's", deadline=TODAY + timedelta(3)).department_id = unit.id
    db.session.commit()
    staff = signed_in(app, make_user(Role.STAFF))

    def columns(table: list[dict[str, object]]) -> list[tuple[object, object, object]]:
        return [(row["Task"], row["Owners"], row["Department"]) for row in table]

    expected = [
        ("Three owners", 'Mher, Petrosyan, "Ani", Zara', "North unit, South"),
        ("One department twice", "'=Boss, Zara", "South"),
        ("An owner without a department", "Mher", ""),
        ("Nobody's", "", "North unit"),
    ]
    assert columns(csv_table(staff, "status=all")) == expected  # type: ignore[arg-type]
    # An empty text is an empty cell.
    cells = [(task, owners or None, departments or None) for task, owners, departments in expected]
    assert columns(xlsx_table(staff, "status=all")) == cells
    # Each set of owners named once and remembered: forgetting them changes nothing.
    monkeypatch.setattr(export_rows._Owners, "REMEMBERED", 1)
    assert columns(csv_table(staff, "status=all")) == expected  # type: ignore[arg-type]


def test_each_text_column_alone_is_guarded(app, bureau, make_report, small_chunks) -> None:
    """A row is looked at as a whole for a text that may start like a formula: each text
    column, hostile in a row whose other texts are not, is behind a quote."""
    hostile = "=1+1"
    fields = ["deadline_text", "completion_note", "evidence_url", "expected_result"]
    for task, field in zip(bureau.tasks[5:], [*fields, "cancel_reason"], strict=False):
        setattr(task, field, hostile)
    bureau.tasks[10].report = make_report(hostile)
    bureau.tasks[10].title = "Plain"
    db.session.commit()
    staff = signed_in(app, bureau.staff)
    columns = ["As written", "What was done", "Evidence", "Expected result", "Cancel reason"]
    tables: list[list[dict[str, object]]] = [csv_table(staff, "status=all")]  # type: ignore[list-item]
    tables.append(xlsx_table(staff, "status=all"))
    for table in tables:
        for row, column in zip(table[5:], columns, strict=False):
            assert row[column] == "'=1+1", column
        assert table[10]["Report"] == "'=1+1"


def test_the_xlsx_holds_each_text_as_it_was_written(app, bureau, small_chunks) -> None:
    """Texts with spaces, markup, line ends, other alphabets, an error code, formulas are
    strings as they were (Excel's own escape of a CR undone, as Excel reads it); dates are
    date cells, empty texts no cells; a text longer than a cell holds is cut to 32,767."""
    done = bureau.tasks[0]
    done.status = TaskStatus.DONE
    done.completed_at = datetime(2026, 5, 31, 21, tzinfo=UTC)
    done.completion_note = "  Roads & bridges <repaired>\r\n"
    done.evidence_url = "https://example.am/?a=1&b=2"
    bureau.tasks[1].title = "Ճանապարհներ 😀 — \"quoted\" 'once'"
    bureau.tasks[2].cancel_reason = "#N/A"
    bureau.tasks[3].expected_result = "x" * 40_000
    for task, hostile in zip(bureau.tasks[4:], INJECTIONS, strict=False):
        task.title = hostile
    db.session.commit()
    sheet = xlsx_sheet(signed_in(app, bureau.staff), "status=all")
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 25 and sheet.auto_filter.ref == "A1:P26"
    for cells in rows:
        for cell in cells:
            assert cell.data_type in ("s", "n", "d"), cell.coordinate
            if isinstance(cell.value, str):
                assert cell.data_type == "s", cell.coordinate
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert unescape(first["What was done"].value) == "  Roads & bridges <repaired>\r\n"
    assert first["Evidence"].value == "https://example.am/?a=1&b=2"
    assert first["Evidence"].hyperlink is None  # a text, not a link
    assert first["Completion date"].value == datetime(2026, 6, 1)
    assert first["Completion date"].number_format == "yyyy-mm-dd"
    assert first["Number"].value == done.id and first["Number"].data_type == "n"
    assert rows[1][1].value == "Ճանապարհներ 😀 — \"quoted\" 'once'"
    assert rows[1][8].value is None  # no completion date: no cell
    assert (rows[2][12].value, rows[2][12].data_type) == ("#N/A", "s")
    assert rows[3][11].value == "x" * 32_767
    titles = [cells[1].value for cells in rows[4 : 4 + len(INJECTIONS)]]
    assert [unescape(title) for title in titles] == ["'" + hostile for hostile in INJECTIONS]


def xlsx_of(texts: list[str], folder: Path) -> list[object]:
    """The titles of rows with `texts`, written and read back as Excel reads them."""
    rows = [
        export_rows.ExportRow(
            number, text, "", "", "", TaskStatus.OPEN, None, "", None, "", "", "", "", (), 0, None
        )
        for number, text in enumerate(texts)
    ]
    file, count = exports.xlsx_file([rows], COLUMNS, "T", exports.Labels(str, str), folder)
    with file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    assert sheet is not None and count == len(texts)
    assert list(folder.iterdir()) == []  # XlsxWriter's files removed
    return [read(cell.value) for (cell,) in sheet.iter_rows(min_row=2, max_col=2, min_col=2)]


def test_control_characters_and_non_characters_are_kept(tmp_path: Path) -> None:
    """A text with a character XML cannot hold (a control character, U+FFFE) no longer fails
    the export: it is written as Excel writes it (_x0001_), and a text that looks like such
    an escape stays as it is."""
    texts = ["a\x01b", "a\x1fb\x00", "a\ufffeb\uffff", "_x0041_ stays", "tab\tin"]
    assert xlsx_of(texts, tmp_path) == texts


def test_a_text_too_long_for_a_cell_is_cut_to_what_excel_holds(tmp_path: Path) -> None:
    """Excel's limit is 32,767 UTF-16 units: an emoji is two of them."""
    texts = ["x" * 40_000, "😀" * 20_000, "y" * 32_767]
    assert xlsx_of(texts, tmp_path) == ["x" * 32_767, "😀" * 16_383, "y" * 32_767]


def test_an_xlsx_that_fails_leaves_no_file_behind(tmp_path: Path) -> None:
    """A chunk that fails (the database went away) ends the export, with XlsxWriter's files
    and the workbook's removed."""
    row = export_rows.ExportRow(
        1, "Roads", "", "", "", TaskStatus.OPEN, None, "", None, "", "", "", "", (), 0, None
    )

    def chunks() -> Iterator[list[export_rows.ExportRow]]:
        yield [row] * 3
        raise ConnectionError("the database went away")

    labels = exports.Labels(str, str)
    with pytest.raises(ConnectionError):
        exports.xlsx_file(chunks(), COLUMNS, "T", labels, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_text_no_file_can_hold_fails_the_xlsx_and_leaves_no_file(tmp_path: Path) -> None:
    """A lone surrogate (which neither database returns) cannot be written as UTF-8: the
    export fails, with every file closed and removed."""
    row = export_rows.ExportRow(
        1, "a\ud800b", "", "", "", TaskStatus.OPEN, None, "", None, "", "", "", "", (), 0, None
    )
    with pytest.raises(UnicodeEncodeError):
        exports.xlsx_file([[row, row]], COLUMNS, "T", exports.Labels(str, str), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_every_space_a_formula_may_follow_is_looked_at() -> None:
    spaces = {character for character in map(chr, range(0x110000)) if character.isspace()}
    assert spaces <= exports._MAYBE_FORMULA
    assert set(exports.FORMULA_STARTS) <= exports._MAYBE_FORMULA


def test_an_owner_made_after_the_export_read_the_users_is_named(
    app, make_department, make_user
) -> None:
    """The users are read once per export: one who became an owner since is read then (a
    task with a user deleted since names the others)."""
    ani = make_user(department=make_department("North"), name="Ani")
    with db.engine.connect() as connection:
        owners = export_rows._Owners(connection)
        assert owners.of(f"{ani.id}") == ("Ani", "North")
        bob = make_user(department=make_department("East"), name="Bob")
        assert owners.of(f"{bob.id},{ani.id}") == ("Ani, Bob", "East, North")
        assert owners.of(f"{ani.id},{bob.id + 1000}") == ("Ani", "North")
