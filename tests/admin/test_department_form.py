"""The admin's department form, checked in the database after each POST, not on the page
(whose selects list every department and user whatever was saved)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.admin.services import find_department
from tracker.extensions import db
from tracker.models import Department, Role


def saved(name: str) -> Department:
    db.session.expire_all()
    department = find_department(name)
    assert department is not None, f"no department {name!r}"
    return department


def test_a_new_department_gets_its_head_and_parent(client, make_user, make_department) -> None:
    administration = make_department("Administration")
    head = make_user(Role.MANAGER, name="Karen")
    client.login(make_user(Role.ADMIN).email)

    response = client.submit(
        "/admin/departments",
        {"name": "Development", "parent": "Administration", "head": head.email},
    )

    assert response.status_code == 302
    development = saved("Development")
    assert development.parent_id == administration.id
    assert development.head_id == head.id


@pytest.mark.parametrize("typed", ["Digital", "  Digital "])
def test_an_existing_name_is_refused_and_the_department_is_left_as_it_was(
    client, make_user, make_department, typed: str
) -> None:
    """The list page only adds: a department is changed from its own page (Edit), never by
    retyping its name here."""
    administration = make_department("Administration")
    cooperation = make_department("Cooperation", parent=administration)
    first_head = make_user(Role.MANAGER)
    digital = make_department("Digital", parent=administration, head=first_head)
    second_head = make_user(Role.MANAGER)
    client.login(make_user(Role.ADMIN).email)

    response = client.submit(
        "/admin/departments",
        {"name": typed, "parent": "Cooperation", "head": second_head.email},
    )

    assert response.status_code == 400
    assert "change it from its Edit link" in response.get_data(as_text=True)
    assert saved("Digital").parent_id == administration.id != cooperation.id
    assert saved("Digital").head_id == first_head.id
    count = db.session.scalar(select(func.count()).select_from(Department))
    assert count == 3
    assert saved("Digital").id == digital.id


def test_an_unknown_head_is_refused_and_creates_nothing(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)

    response = client.submit(
        "/admin/departments", {"name": "Development", "head": "nobody@example.am"}
    )

    assert response.status_code == 400
    assert "nobody@example.am" in response.get_data(as_text=True)
    db.session.expire_all()
    assert find_department("Development") is None
