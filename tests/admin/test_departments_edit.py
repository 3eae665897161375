"""A department's own page (#12 item 5): renamed, moved, given a head, removed, through real
HTTP on SQLite and PostgreSQL, each outcome read back from the database and the audit log."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, Department, Role, Task, User


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    return any_database_app


@pytest.fixture
def admin(client, make_user) -> User:
    user = make_user(Role.ADMIN, name="Admin")
    assert client.login(user.email).status_code == 302
    return user


def fresh(model, ident: int):
    db.session.expire_all()
    return db.session.get(model, ident)


def audit_entries(kind: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


def options_of(html: str, select_name: str) -> list[str]:
    """The values a page's select offers."""
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {select_name}"
    return re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))


def edit(client, department: Department, **fields: object):
    data = {
        "name": department.name,
        "parent": str(department.parent_id or ""),
        "head": str(department.head_id or ""),
        **fields,
    }
    return client.submit(f"/admin/departments/{department.id}", data)


def test_the_list_links_each_department_to_its_page(client, admin, make_department) -> None:
    digital = make_department("Digital")
    html = client.get("/admin/departments").get_data(as_text=True)
    assert f'href="/admin/departments/{digital.id}"' in html
    page = client.get(f"/admin/departments/{digital.id}")
    assert page.status_code == 200
    assert 'value="Digital"' in page.get_data(as_text=True)


def test_a_rename_is_trimmed_saved_and_recorded(client, admin, make_department) -> None:
    digital = make_department("Digital")

    response = edit(client, digital, name="  Digital   transformation ")

    assert response.status_code == 302
    assert fresh(Department, digital.id).name == "Digital transformation"
    [entry] = audit_entries("department_changed")
    assert entry.subject == f"department:{digital.id}"
    assert entry.actor_id == admin.id
    assert entry.details == {"name": ["Digital", "Digital transformation"]}


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("Finance", "There is already a department named")],
)
def test_an_empty_or_taken_name_is_refused_and_nothing_changes(
    client, admin, make_department, name: str, message: str
) -> None:
    make_department("Finance")
    digital = make_department("Digital")

    response = edit(client, digital, name=name)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(Department, digital.id).name == "Digital"
    assert audit_entries("department_changed") == []


def test_a_department_moves_under_another_and_back_to_the_top(
    client, admin, make_department
) -> None:
    administration = make_department("Administration")
    digital = make_department("Digital")

    assert edit(client, digital, parent=str(administration.id)).status_code == 302
    assert fresh(Department, digital.id).parent_id == administration.id

    assert edit(client, fresh(Department, digital.id), parent="").status_code == 302
    assert fresh(Department, digital.id).parent_id is None
    moves = [entry.details for entry in audit_entries("department_changed")]
    assert moves == [{"parent": [None, "Administration"]}, {"parent": ["Administration", None]}]


def test_a_parent_inside_the_department_is_refused(client, admin, make_department) -> None:
    administration = make_department("Administration")
    development = make_department("Development", parent=administration)
    digital = make_department("Digital", parent=development)

    page = client.get(f"/admin/departments/{development.id}").get_data(as_text=True)
    assert str(digital.id) not in options_of(page, "parent")  # not offered
    assert str(development.id) not in options_of(page, "parent")
    assert str(administration.id) in options_of(page, "parent")
    for inside in (digital, development):  # forged: a department inside it, or itself
        response = edit(client, development, parent=str(inside.id))
        assert response.status_code == 400
        assert "so it cannot be its parent" in response.get_data(as_text=True)
    assert fresh(Department, development.id).parent_id == administration.id


def test_a_new_head_is_saved_and_an_officer_as_head_warns(
    client, admin, make_department, make_user
) -> None:
    digital = make_department("Digital")
    manager = make_user(Role.MANAGER, name="Karen Manager")
    officer = make_user(Role.OFFICER, name="Ani Officer")

    response = edit(client, digital, head=str(manager.id))
    assert response.status_code == 302
    assert "cannot see the dashboard" not in client.get("/admin/departments").get_data(as_text=True)
    assert fresh(Department, digital.id).head_id == manager.id

    response = edit(client, fresh(Department, digital.id), head=str(officer.id))
    assert response.status_code == 302  # saved all the same
    listing = client.get("/admin/departments").get_data(as_text=True)
    assert "flash-warning" in listing
    assert "Ani Officer is an officer and cannot see the dashboard" in listing
    assert fresh(Department, digital.id).head_id == officer.id
    heads = [entry.details for entry in audit_entries("department_changed")]
    assert heads[-1] == {"head": [manager.email, officer.email]}


def test_a_deactivated_person_cannot_be_made_head(
    client, admin, make_department, make_user
) -> None:
    digital = make_department("Digital")
    gone = make_user(Role.MANAGER, active=False)

    response = edit(client, digital, head=str(gone.id))

    assert response.status_code == 400
    assert fresh(Department, digital.id).head_id is None


def test_an_empty_department_is_removed(client, admin, make_department) -> None:
    empty = make_department("Empty")
    empty_id = empty.id
    page = client.get(f"/admin/departments/{empty.id}").get_data(as_text=True)
    assert "It is empty" in page and 'name="move_to"' not in page

    response = client.submit(
        f"/admin/departments/{empty.id}/remove", {}, page=f"/admin/departments/{empty.id}"
    )

    assert response.status_code == 302
    assert fresh(Department, empty_id) is None
    [entry] = audit_entries("department_removed")
    assert entry.subject == f"department:{empty_id}"
    assert entry.details["name"] == "Empty" and entry.details["moved_to"] is None


def test_a_department_with_people_is_not_removed_without_a_target(
    client, admin, make_department, make_user
) -> None:
    digital = make_department("Digital")
    officer = make_user(Role.OFFICER, department=digital)

    response = client.submit(
        f"/admin/departments/{digital.id}/remove",
        {"move_to": ""},
        page=f"/admin/departments/{digital.id}",
    )

    assert response.status_code == 400
    assert "choose the department they move to" in response.get_data(as_text=True)
    assert fresh(Department, digital.id) is not None
    assert fresh(User, officer.id).department_id == digital.id
    assert audit_entries("department_removed") == []


def test_removing_moves_people_departments_and_tasks_in_the_same_step(
    client, admin, make_department, make_user, make_task
) -> None:
    administration = make_department("Administration")
    old = make_department("Old unit", parent=administration)
    inner = make_department("Inner team", parent=old)
    target = make_department("New unit", parent=administration)
    head = make_user(Role.MANAGER, department=old)
    officer = make_user(Role.OFFICER, department=old)
    task = make_task(officer, title="Sign the memorandum")
    assert task.department_id == old.id
    old_id = old.id
    page = client.get(f"/admin/departments/{old.id}").get_data(as_text=True)
    assert options_of(page, "move_to") == ["", str(administration.id), str(target.id)]

    response = client.submit(
        f"/admin/departments/{old.id}/remove",
        {"move_to": str(target.id)},
        page=f"/admin/departments/{old.id}",
    )

    assert response.status_code == 302
    assert fresh(Department, old_id) is None
    assert fresh(User, head.id).department_id == target.id
    assert fresh(User, officer.id).department_id == target.id
    assert fresh(Department, inner.id).parent_id == target.id
    assert fresh(Task, task.id).department_id == target.id
    [entry] = audit_entries("department_removed")
    assert entry.details == {
        "name": "Old unit",
        "moved_to": "New unit",
        "people": 2,
        "departments": 1,
        "tasks": 1,
    }


def test_moving_into_a_department_inside_it_is_refused(
    client, admin, make_department, make_user
) -> None:
    old = make_department("Old unit")
    inner = make_department("Inner team", parent=old)
    officer = make_user(Role.OFFICER, department=old)

    response = client.submit(
        f"/admin/departments/{old.id}/remove",
        {"move_to": str(inner.id)},
        page=f"/admin/departments/{old.id}",
    )

    assert response.status_code == 400
    assert "choose a department outside it" in response.get_data(as_text=True)
    assert fresh(Department, old.id) is not None
    assert fresh(Department, inner.id).parent_id == old.id
    assert fresh(User, officer.id).department_id == old.id


def test_an_unknown_department_is_404(client, admin) -> None:
    assert client.get("/admin/departments/9999").status_code == 404
