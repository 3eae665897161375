"""Who may change departments: admins only, on every new page and action; a form without its
CSRF token is refused. Each refusal is checked in the database, not only in the status."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent, Department, Role


@pytest.fixture
def unit(make_department, make_user) -> Department:
    parent = make_department("Administration")
    department = make_department("Digital", parent=parent)
    make_user(Role.OFFICER, department=department)
    return department


def unchanged(department_id: int) -> bool:
    db.session.expire_all()
    department = db.session.get(Department, department_id)
    entries = select(AuditEvent).where(AuditEvent.kind.startswith("department_"))
    no_entries = db.session.scalars(entries).first() is None
    return department is not None and department.name == "Digital" and no_entries


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.STAFF])
def test_only_admins_open_edit_and_remove_a_department(
    client, make_user, unit: Department, role: Role
) -> None:
    client.login(make_user(role).email)
    token = client.csrf_token("/settings")

    page = client.get(f"/admin/departments/{unit.id}")
    renamed = client.post(
        f"/admin/departments/{unit.id}",
        data={"csrf_token": token, "name": "Taken over", "parent": "", "head": ""},
    )
    removed = client.post(
        f"/admin/departments/{unit.id}/remove", data={"csrf_token": token, "move_to": ""}
    )
    added = client.post("/admin/departments", data={"csrf_token": token, "name": "New"})

    assert [r.status_code for r in (page, renamed, removed, added)] == [403, 403, 403, 403]
    assert unchanged(unit.id)
    assert db.session.scalar(select(Department).where(Department.name == "New")) is None


def test_an_admin_opens_edits_and_removes(client, make_user, make_department) -> None:
    spare = make_department("Spare")
    spare_id = spare.id
    client.login(make_user(Role.ADMIN).email)
    page = f"/admin/departments/{spare_id}"

    assert client.get(page).status_code == 200
    assert client.submit(page, {"name": "Spare room", "parent": "", "head": ""}).status_code == 302
    assert client.submit(f"{page}/remove", {}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(Department, spare_id) is None


def test_adding_from_the_list_is_recorded(client, make_user) -> None:
    admin = make_user(Role.ADMIN)
    client.login(admin.email)

    assert client.submit("/admin/departments", {"name": "Protocol"}).status_code == 302

    db.session.expire_all()
    [entry] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "department_created"))
    assert entry.actor_id == admin.id
    assert entry.details == {"name": "Protocol", "parent": None, "head": None}


@pytest.mark.parametrize("action", ["", "/remove"])
def test_a_form_without_its_csrf_token_is_refused(
    client, make_user, unit: Department, action: str
) -> None:
    client.login(make_user(Role.ADMIN).email)

    response = client.post(
        f"/admin/departments/{unit.id}{action}",
        data={"name": "Taken over", "parent": "", "head": "", "move_to": ""},
    )

    assert response.status_code == 400
    assert unchanged(unit.id)
