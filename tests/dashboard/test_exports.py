"""The dashboard's CSV and XLSX exports, read a chunk at a time (#13 point 3), on a migrated
SQLite and PostgreSQL database: every row of the list across chunks, in the list's order,
with the same columns as the list; a manager's export holds only their departments; a cell
a spreadsheet would run as a formula is kept as text in both formats; the export is in the
audit log with its real number of rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import TODAY, TrackerClient
from tracker.audit import AuditKind
from tracker.dashboard import export_rows, exports, services
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Department,
    Notification,
    Report,
    ReportStatus,
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
def bureau(clock, make_department, make_user, make_task) -> Bureau:
    """25 tasks: the north's, the south's, shared ones, one without an owner; a report;
    escalations of some."""
    root = make_department("Administration")
    north = make_department("North", parent=root)
    unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    ani = make_user(department=unit, name="Ani")
    bob = make_user(department=north, name="Bob")
    lilit = make_user(department=south, name="Lilit")
    report = Report(
        source_filename="trip.docx",
        content_hash="e" * 64,
        file_type="docx",
        language="en",
        status=ReportStatus.CONFIRMED,
        destination="Tbilisi",
    )
    db.session.add(report)
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
    return [dict(zip(header, row, strict=True)) for row in rows]  # type: ignore[arg-type]


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
            assert len(statements) <= 5  # the rows, owners, escalations, departments, reports
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert [len(chunk) for chunk in chunks] == [10, 10, 5]
        assert one_chunk <= 5 + 2 * 2  # each further chunk: its owners and escalations
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
        file, count = exports.xlsx_file(export.chunks(db.session()), ["n"] * 10, "T", str, folder)
    blocks = list(exports.file_blocks(file, 1024))
    assert count == 25 and len(blocks) > 1 and file.closed


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
