"""A task of several departments (#11 item 4): it belongs to the departments of all its
owners, so each owner's manager (and the managers above them) sees and manages it, and no
other manager does. The SQL scope (`visible_tasks`, the lists, the dashboard) and the
single-task checks (`can_view`, `can_manage`) must agree on every case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import TrackerClient
from tracker.extensions import db
from tracker.models import Department, Role, Task, TaskStatus, User
from tracker.tasks.permissions import (
    ScopeForm,
    can_manage,
    can_view,
    can_work_on,
    visible_tasks,
)
from tracker.tasks.services import tasks_visible_to

DEADLINE = date(2026, 9, 30)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The SQL scope on SQLite and on PostgreSQL."""
    return any_database_app


@dataclass
class Offices:
    """Two branches under one root; a task owned by an officer of each branch."""

    root: Department
    north: Department
    north_unit: Department
    south: Department
    east: Department
    users: dict[str, User]
    shared: Task  # owners in north_unit and south
    north_only: Task
    unowned: Task  # no owner: belongs to its own department (east)


@pytest.fixture
def offices(make_department, make_user, make_task) -> Offices:
    root = make_department("Administration")
    north = make_department("North", parent=root)
    north_unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    east = make_department("East", parent=root)
    users = {
        "north_officer": make_user(Role.OFFICER, department=north_unit, name="Ani North"),
        "south_officer": make_user(Role.OFFICER, department=south, name="Lilit South"),
        "east_officer": make_user(Role.OFFICER, department=east, name="Gor East"),
        "north_manager": make_user(Role.MANAGER, department=north, name="Karen North"),
        "south_manager": make_user(Role.MANAGER, department=south, name="Armen South"),
        "east_manager": make_user(Role.MANAGER, department=east, name="Hayk East"),
        "root_manager": make_user(Role.MANAGER, department=root, name="Director"),
        "staff": make_user(Role.STAFF, department=root, name="Narine Staff"),
        "admin": make_user(Role.ADMIN, department=root, name="Vardan Admin"),
    }
    shared = make_task(
        users["north_officer"], users["south_officer"], title="Shared", deadline=DEADLINE
    )
    north_only = make_task(users["north_officer"], title="North only", deadline=DEADLINE)
    unowned = make_task(title="Unowned", deadline=DEADLINE)
    unowned.department = east
    db.session.commit()
    return Offices(root, north, north_unit, south, east, users, shared, north_only, unowned)


# (user, tasks they see, tasks they manage)
MATRIX = [
    ("north_officer", {"Shared", "North only"}, set()),
    ("south_officer", {"Shared"}, set()),
    ("east_officer", set(), set()),
    ("north_manager", {"Shared", "North only"}, {"Shared", "North only"}),
    ("south_manager", {"Shared"}, {"Shared"}),
    ("east_manager", {"Unowned"}, {"Unowned"}),
    ("root_manager", {"Shared", "North only", "Unowned"}, {"Shared", "North only", "Unowned"}),
    ("staff", {"Shared", "North only", "Unowned"}, {"Shared", "North only", "Unowned"}),
    ("admin", {"Shared", "North only", "Unowned"}, {"Shared", "North only", "Unowned"}),
]


@pytest.mark.parametrize(("name", "sees", "manages"), MATRIX)
def test_the_sql_scope_and_the_single_task_checks_agree(
    offices: Offices, name: str, sees: set[str], manages: set[str]
) -> None:
    user = offices.users[name]
    forms: list[ScopeForm] = ["ids", "probe", "each"]
    if db.engine.dialect.name == "postgresql":
        forms.append("array")
    for form in forms:
        in_sql = {task.title for task in db.session.scalars(visible_tasks(user, form))}
        assert in_sql == sees, form
    assert {task.title for task in tasks_visible_to(user)} == sees
    for task in (offices.shared, offices.north_only, offices.unowned):
        assert can_view(user, task) is (task.title in sees), task.title
        assert can_manage(user, task) is (task.title in manages), task.title
        owner = user in task.owners
        assert can_work_on(user, task) is (owner or task.title in manages), task.title


def test_an_owner_without_a_department_leaves_the_task_to_the_other_owners_department(
    offices: Offices, make_user, make_task
) -> None:
    floating = make_user(Role.OFFICER, name="No department")
    task = make_task(floating, offices.users["south_officer"], title="Half placed")
    assert can_manage(offices.users["south_manager"], task)
    assert not can_manage(offices.users["north_manager"], task)


def test_a_draft_stays_with_staff_whatever_its_owners(offices: Offices, make_task) -> None:
    draft = make_task(
        offices.users["north_officer"],
        offices.users["south_officer"],
        title="Draft",
        status=TaskStatus.DRAFT,
    )
    for name in ("north_manager", "south_manager", "root_manager"):
        assert not can_view(offices.users[name], draft)
    assert can_view(offices.users["staff"], draft)


def signed_in(app: Flask, user: User) -> TrackerClient:
    """A browser of its own for each user (signing out is a form of its own)."""
    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    assert browser.login(user.email).status_code == 302
    return browser


def test_both_owners_managers_open_and_manage_it_a_third_gets_403(
    app: Flask, offices: Offices
) -> None:
    task_id = offices.shared.id
    for name in ("north_manager", "south_manager"):
        browser = signed_in(app, offices.users[name])
        assert browser.get(f"/tasks/{task_id}").status_code == 200, name
        listed = browser.get("/tasks?scope=all").get_data(as_text=True)
        assert listed.count(f'data-task-id="{task_id}"') == 1, name

    outsider = signed_in(app, offices.users["east_manager"])
    assert outsider.get(f"/tasks/{task_id}").status_code == 403
    assert f'data-task-id="{task_id}"' not in outsider.get("/tasks?scope=all").get_data(
        as_text=True
    )
    refused = outsider.submit(
        f"/tasks/{task_id}/cancel", {"reason": "Not mine."}, page="/tasks?scope=all"
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Task, task_id).status is TaskStatus.OPEN  # type: ignore[union-attr]

    # The second owner's manager may cancel it: the change is stored.
    south = signed_in(app, offices.users["south_manager"])
    response = south.submit(
        f"/tasks/{task_id}/cancel", {"reason": "Merged into another."}, page=f"/tasks/{task_id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task_id).status is TaskStatus.CANCELLED  # type: ignore[union-attr]


def test_the_cancel_form_without_its_csrf_token_is_refused(app: Flask, offices: Offices) -> None:
    browser = signed_in(app, offices.users["south_manager"])
    response = browser.post(f"/tasks/{offices.shared.id}/cancel", data={"reason": "No token."})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Task, offices.shared.id).status is TaskStatus.OPEN  # type: ignore[union-attr]


def test_a_managers_list_is_a_fixed_number_of_queries_however_many_tasks(
    offices: Offices, make_user, make_task
) -> None:
    manager = offices.users["root_manager"]

    def queries_for_list() -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            db.session.expire_all()
            tasks_visible_to(manager)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries_for_list()
    for number in range(15):
        north = make_user(Role.OFFICER, department=offices.north_unit)
        south = make_user(Role.OFFICER, department=offices.south)
        make_task(north, south, title=f"More {number}", deadline=DEADLINE)
    assert queries_for_list() == few
