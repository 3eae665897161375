"""The dashboard with a task of two departments and a task awaiting acceptance (#11 items
3 and 4), on a migrated SQLite and PostgreSQL database.

A task belongs to the departments of all its owners: each department's figures count it,
the whole organisation's count it once. A task reported done and awaiting acceptance is a
figure of its own, never overdue, and is named in the list and the exports.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import TODAY, TrackerClient
from tracker.extensions import db
from tracker.models import Department, Role, Task, TaskStatus, User


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and clock fixtures, on each migrated database."""
    return any_database_app


@dataclass
class Offices:
    north: Department
    north_unit: Department
    south: Department
    users: dict[str, User]
    shared: Task
    waiting: Task


@pytest.fixture
def offices(clock, make_department, make_user, make_task) -> Offices:
    root = make_department("Administration")
    north = make_department("North", parent=root)
    north_unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    east = make_department("East", parent=root)
    users = {
        "ani": make_user(department=north_unit, name="Ani"),
        "lilit": make_user(department=south, name="Lilit"),
        "north_manager": make_user(Role.MANAGER, department=north, name="North Head"),
        "south_manager": make_user(
            Role.MANAGER, department=south, name="South Head", language="hy"
        ),
        "east_manager": make_user(Role.MANAGER, department=east, name="East Head"),
        "staff": make_user(Role.STAFF, department=root, name="Registry"),
    }
    late = TODAY - timedelta(days=10)
    shared = make_task(users["ani"], users["lilit"], title="Shared water plan", deadline=late)
    make_task(users["ani"], title="North road repair", deadline=late)
    make_task(users["lilit"], title="South school", deadline=TODAY + timedelta(days=40))
    waiting = make_task(users["lilit"], title="South bridge report", deadline=late)
    waiting.status = TaskStatus.AWAITING_ACCEPTANCE
    waiting.submitted_at = datetime(2026, 6, 1, 8, tzinfo=UTC)
    db.session.commit()
    return Offices(north, north_unit, south, users, shared, waiting)


def signed_in(app: Flask, user: User) -> TrackerClient:
    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    assert browser.login(user.email).status_code == 302
    return browser


def figures(html: str) -> dict[str, int]:
    found = re.findall(r'data-figure="([^"]+)"><span class="number">(\d+)<', html)
    return {name: int(value) for name, value in found}


def chart(html: str, heading: str) -> dict[str, int]:
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(<svg .*?</svg>)", html, re.DOTALL)
    assert match, f"no chart under {heading!r}"
    bars = re.findall(
        r"<title>([^<]*)</title>[^<]*</text><rect [^>]*></rect><text [^>]*>(\d+)<", match.group(1)
    )
    return {label: int(value) for label, value in bars}


def listed(html: str) -> list[int]:
    return [int(number) for number in re.findall(r'data-task-id="(\d+)"', html)]


def test_each_department_counts_the_shared_task_and_the_total_counts_it_once(
    app: Flask, offices: Offices
) -> None:
    staff = signed_in(app, offices.users["staff"])
    page = staff.get("/dashboard").get_data(as_text=True)
    # Overdue: the shared task once and the North one; the one awaiting acceptance is not.
    assert figures(page) == {
        "open": 3,
        "overdue": 2,
        "awaiting-acceptance": 1,
        "due-soon": 0,
        "done-this-month": 0,
    }
    assert sorted(listed(page)).count(offices.shared.id) == 1
    # Each owner's own department has a bar with the shared task: 2 + 1 bars, 2 tasks.
    assert chart(page, "Overdue tasks by department") == {"North unit": 2, "South": 1}

    north = staff.get(f"/dashboard?department={offices.north.id}").get_data(as_text=True)
    assert (figures(north)["overdue"], figures(north)["open"]) == (2, 2)
    south = staff.get(f"/dashboard?department={offices.south.id}").get_data(as_text=True)
    assert (figures(south)["overdue"], figures(south)["open"]) == (1, 2)
    assert figures(south)["awaiting-acceptance"] == 1
    assert listed(south) == [offices.shared.id]


@pytest.mark.parametrize(
    ("manager", "overdue", "awaiting"),
    [("north_manager", 2, 0), ("south_manager", 1, 1), ("east_manager", 0, 0)],
)
def test_each_managers_dashboard_holds_the_shared_task_of_their_own_owner(
    app: Flask, offices: Offices, manager: str, overdue: int, awaiting: int
) -> None:
    page = signed_in(app, offices.users[manager]).get("/dashboard").get_data(as_text=True)
    assert figures(page)["overdue"] == overdue
    assert figures(page)["awaiting-acceptance"] == awaiting
    assert (offices.shared.id in listed(page)) is (manager != "east_manager")


def test_the_awaiting_acceptance_card_opens_its_list_named_in_the_status_column(
    app: Flask, offices: Offices
) -> None:
    staff = signed_in(app, offices.users["staff"])
    page = staff.get("/dashboard").get_data(as_text=True)
    card = re.search(r'<a class="figure figure-awaiting" href="([^"]+)"', page)
    assert card, "no awaiting acceptance card"
    link = card.group(1).replace("&amp;", "&")
    assert "status=awaiting_acceptance" in link
    waiting_list = staff.get(link).get_data(as_text=True)
    assert listed(waiting_list) == [offices.waiting.id]
    assert 'data-status="awaiting_acceptance"' in waiting_list
    assert "Awaiting acceptance</span>" in waiting_list
    # Its row is not marked overdue, though its deadline has passed.
    row = re.search(rf'<tr class="([^"]*)" data-task-id="{offices.waiting.id}"', waiting_list)
    assert row and "overdue" not in row.group(1)
    # The shared task's row names both owners' departments.
    every = staff.get("/dashboard?status=all").get_data(as_text=True)
    assert "North unit, South</div>" in every


def test_the_exports_name_the_status_and_both_departments(app: Flask, offices: Offices) -> None:
    staff = signed_in(app, offices.users["staff"])
    body = staff.get("/dashboard/export.csv?status=all").data.decode("utf-8-sig")
    rows = {row["Task"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["South bridge report"]["Status"] == "Awaiting acceptance"
    assert rows["South bridge report"]["Days overdue"] == "0"
    assert rows["Shared water plan"]["Department"] == "North unit, South"

    workbook = load_workbook(io.BytesIO(staff.get("/dashboard/export.xlsx?status=all").data))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    header = list(sheet_rows[0])
    by_title = {row[header.index("Task")]: row for row in sheet_rows[1:]}
    assert by_title["South bridge report"][header.index("Status")] == "Awaiting acceptance"

    # In Armenian, for an Armenian manager.
    armenian = signed_in(app, offices.users["south_manager"])
    body = armenian.get("/dashboard/export.csv?status=awaiting_acceptance").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 2
    assert "Սպասում է ընդունման" in lines[1]


def test_the_dashboard_is_a_fixed_number_of_queries_however_many_shared_tasks(
    app: Flask, offices: Offices, make_user, make_task
) -> None:
    staff = signed_in(app, offices.users["staff"])

    def queries(path: str) -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert staff.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    before = {path: queries(path) for path in ("/dashboard?status=all", "/tasks?scope=all")}
    late = TODAY - timedelta(days=3)
    for number in range(12):
        north = make_user(department=offices.north_unit)
        south = make_user(department=offices.south)
        task = make_task(north, south, title=f"Joint {number}", deadline=late)
        if number % 3 == 0:
            task.status = TaskStatus.AWAITING_ACCEPTANCE
            task.submitted_at = datetime(2026, 6, 1, 8, tzinfo=UTC)
    db.session.commit()
    assert {path: queries(path) for path in before} == before


def test_an_armenian_managers_dashboard_and_its_awaiting_list_have_no_english_word(
    app: Flask, offices: Offices
) -> None:
    from tests.main.test_armenian_everywhere import english_words

    data = [user.name for user in db.session.scalars(sa.select(User))]
    data += [task.title for task in db.session.scalars(sa.select(Task))]
    data += [department.name for department in db.session.scalars(sa.select(Department))]
    armenian = signed_in(app, offices.users["south_manager"])
    for path in ("/dashboard", "/dashboard?status=awaiting_acceptance", "/dashboard?status=all"):
        page = armenian.get(path).get_data(as_text=True)
        assert english_words(page, data) == [], path
        assert "Սպասում է ընդունման" in page, path
