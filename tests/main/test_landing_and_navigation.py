"""Where each role lands, and the menu: the current page marked, the skip link first."""

from __future__ import annotations

import re

import pytest

LANDING = {
    "officer": "/tasks",
    "manager": "/dashboard",
    "staff": "/dashboard",
    "admin": "/dashboard",
}


@pytest.mark.parametrize("role", sorted(LANDING))
def test_each_role_lands_where_its_work_is(client, org, role: str) -> None:
    response = client.login(org.user(role).email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == LANDING[role]
    assert client.get(home.headers["Location"]).status_code == 200


def test_a_next_still_wins_over_the_landing(client, org) -> None:
    response = client.submit(
        "/login",
        {"email": org.manager.email, "password": "correct horse battery", "next": "/reports"},
    )
    assert response.headers["Location"] == "/reports"


def current_items(html: str) -> list[str]:
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.parametrize(
    ("role", "path", "current"),
    [
        ("officer", "/tasks", ["/tasks"]),
        ("staff", "/tasks", ["/tasks"]),
        ("staff", "/tasks?scope=all", ["/tasks?scope=all"]),
        ("manager", "/dashboard", ["/dashboard"]),
        ("staff", "/reports", ["/reports"]),
        ("admin", "/admin/users", ["/admin/users"]),
        ("admin", "/admin/departments", ["/admin/departments"]),
        ("admin", "/admin/outbox", ["/admin/outbox"]),
        ("admin", "/settings", []),
    ],
)
def test_the_menu_marks_the_current_page(client, org, role: str, path: str, current) -> None:
    client.login(org.user(role).email)
    assert current_items(client.get(path).get_data(as_text=True)) == current


def test_the_skip_link_is_the_first_focusable_element(client, org) -> None:
    client.login(org.staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    body = html[html.index("<body") :]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first is not None
    assert first.group(0) == '<a class="skip-link" href="#content">'
    assert 'id="content"' in body
    assert "Skip to content" in body


def test_the_skip_link_and_menu_toggle_are_translated(client, make_user) -> None:
    user = make_user("staff", language="hy")
    client.login(user.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Անցնել բովանդակությանը" in html and "Ընտրացանկ" in html
    assert "Skip to content" not in html
