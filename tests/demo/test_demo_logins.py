"""Each demo login, used the way a newcomer would: sign in, follow the redirects, look."""

from __future__ import annotations

import re

import pytest

from tracker.demo.services import DEMO_TASKS, DEMO_USERS

TITLES = [title for title, *_ in DEMO_TASKS]
ANI = {TITLES[0], TITLES[2], TITLES[6]}  # the Digital department's tasks
KAREN = ANI | {TITLES[1]}  # Development and the Digital department below it
COOPERATION = {TITLES[3], TITLES[4], TITLES[5]}

EXPECTED = {
    "officer@demo.am": ANI,
    "manager@demo.am": KAREN,
    "armen@demo.am": COOPERATION,
    "staff@demo.am": set(TITLES),
    "admin@demo.am": set(TITLES),
}


def task_titles(html: str) -> set[str]:
    return set(re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', html))


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_each_demo_login_sees_what_its_role_may_see(app, client, runner, email: str) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["demo"]).exit_code == 0
    password = next(user.password for user in DEMO_USERS if user.email == email)
    page = client.submit("/login", {"email": email, "password": password}, follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == "/tasks"
    everything = client.get("/tasks?scope=all&closed=1", follow_redirects=True)
    assert task_titles(everything.get_data(as_text=True)) == EXPECTED[email]
    admin_page = client.get("/admin/users")
    assert admin_page.status_code == (200 if email == "admin@demo.am" else 403)


def test_the_officers_own_list_is_sorted_with_the_overdue_task_marked(app, client, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["demo"])
    html = client.submit(
        "/login", {"email": "officer@demo.am", "password": "demo-officer"}, follow_redirects=True
    ).get_data(as_text=True)
    assert '<html lang="hy">' in html
    assert html.count('class="overdue"') == 1
    assert html.index(TITLES[0]) < html.index(TITLES[2]) < html.index(TITLES[6])
