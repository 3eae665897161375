from __future__ import annotations

import pytest

from tracker.auth.services import find_user_by_email
from tracker.models import Role


@pytest.mark.parametrize("role", ["officer", "manager", "staff"])
@pytest.mark.parametrize("page", ["/admin/users", "/admin/departments"])
def test_admin_pages_are_for_admins_only(client, make_user, role: str, page: str) -> None:
    client.login(make_user(role).email)
    assert client.get(page).status_code == 403


def test_admin_adds_a_user_from_the_page(client, make_user, make_department) -> None:
    make_department("Digital")
    client.login(make_user(Role.ADMIN).email)
    response = client.submit(
        "/admin/users",
        {
            "email": "new@example.am",
            "name": "New Officer",
            "role": "officer",
            "department": "Digital",
            "language": "hy",
        },
    )
    assert response.status_code == 302
    user = find_user_by_email("new@example.am")
    assert user is not None and user.department is not None
    assert user.department.name == "Digital"


def test_admin_form_error_keeps_what_was_typed(client, make_user) -> None:
    existing = make_user(email="taken@example.am")
    client.login(make_user(Role.ADMIN).email)
    response = client.submit(
        "/admin/users",
        {
            "email": existing.email,
            "name": "Typed Name",
            "role": "officer",
            "department": "",
            "language": "hy",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Typed Name"' in html
    assert "already exists" in html


def test_admin_saves_a_department_with_head_and_parent(client, make_user, make_department) -> None:
    make_department("Administration")
    head = make_user(Role.MANAGER, name="Karen")
    client.login(make_user(Role.ADMIN).email)
    response = client.submit(
        "/admin/departments",
        {
            "name": "Development",
            "parent": "Administration",
            "head": head.email,
        },
    )
    assert response.status_code == 302
    html = client.get("/admin/departments").get_data(as_text=True)
    assert "Development" in html and "Karen" in html


def test_admin_form_refuses_a_mistyped_address_in_the_users_language(client, make_user) -> None:
    admin = make_user(Role.ADMIN, language="hy")
    client.login(admin.email)
    response = client.submit(
        "/admin/users",
        {
            "email": "ani@մարզպետարան..am",
            "name": "Ani",
            "role": "officer",
            "department": "",
            "language": "hy",
        },
    )
    assert response.status_code == 400
    assert "վավեր էլ. հասցե չէ" in response.get_data(as_text=True)
    assert find_user_by_email("ani@մարզպետարան..am") is None
