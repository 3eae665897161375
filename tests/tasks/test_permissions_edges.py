"""Edges of tracker/tasks/permissions.py that mutation testing found unguarded
(docs/mutation.md): the department subtree on both engines, an unsaved task, the "All
tasks" list, and `require`."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD_HASH
from tracker.extensions import db
from tracker.models import Department, Role, Task, User
from tracker.permissions import PermissionDenied
from tracker.tasks.permissions import (
    can_list_all,
    can_manage,
    can_view,
    can_work_on,
    require,
    visible_tasks,
)
from tracker.tasks.services import create_task


def person(email: str, role: Role, department: Department | None) -> User:
    user = User(
        email=email,
        name=email.split("@")[0],
        role=role,
        department=department,
        language="en",
        password_hash=PASSWORD_HASH,
        active=True,
    )
    db.session.add(user)
    return user


def test_a_manager_sees_every_level_below_their_department(any_database_app) -> None:
    # PostgreSQL needs WITH RECURSIVE to walk the tree; SQLite walks it without the keyword,
    # so only the PostgreSQL run tells a recursive subtree from a plain one.
    ministry = Department(name="Ministry")
    development = Department(name="Development", parent=ministry)
    digital = Department(name="Digital", parent=development)
    data = Department(name="Data", parent=digital)
    cooperation = Department(name="Cooperation", parent=ministry)
    manager = person("manager@example.am", Role.MANAGER, development)
    for department in (development, digital, data, cooperation):
        owner = person(f"{department.name.lower()}@example.am", Role.OFFICER, department)
        create_task(f"{department.name} task", [owner], actor=None)
    db.session.commit()

    titles = {task.title for task in db.session.scalars(visible_tasks(manager))}

    assert titles == {"Development task", "Digital task", "Data task"}
    data_task = db.session.scalars(visible_tasks(manager).where(Task.title == "Data task")).one()
    assert can_manage(manager, data_task) and can_view(manager, data_task)


def test_an_unsaved_task_is_nobodys_to_manage_but_staff(org) -> None:
    task = Task(title="Not saved yet", department=org.digital)
    assert task.id is None
    assert not can_manage(org.manager, task)
    assert not can_view(org.manager, task)
    assert not can_work_on(org.manager, task)
    assert can_manage(org.staff, task)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", False), ("manager", True), ("staff", True), ("admin", True)],
)
def test_all_tasks_is_for_those_who_look_after_others(org, role: str, expected: bool) -> None:
    assert can_list_all(org.user(role)) is expected


def test_require_refuses_what_is_not_allowed() -> None:
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)
