"""Each demo login, used the way a newcomer would: sign in, follow the redirects, look."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import copy_database, make_app
from tracker.demo.services import DEMO_TASKS, DEMO_USERS
from tracker.extensions import db

# The confirmed sample reports' tasks, by the start of their titles.
VILNIUS_ANI = "Մշակել մարզպետարանում"  # Ani, Digital department
VILNIUS_KAREN = "Կազմակերպել փորձի"  # Karen, Development department
VILNIUS_LILIT = "Պարբերաբար թարմացնել"  # Lilit, Cooperation
CHISINAU = ("Set up a referral desk", "Translate and adapt", "Report to the Governor")

REPORTS = {
    "officer@demo.am": {VILNIUS_ANI},
    "manager@demo.am": {VILNIUS_ANI, VILNIUS_KAREN},  # Digital is below Development
    "lilit@demo.am": {VILNIUS_LILIT},
    "armen@demo.am": {VILNIUS_LILIT, *CHISINAU},
    "gohar@demo.am": {CHISINAU[0], CHISINAU[2]},
    "staff@demo.am": {VILNIUS_ANI, VILNIUS_KAREN, VILNIUS_LILIT, *CHISINAU},
    "admin@demo.am": {VILNIUS_ANI, VILNIUS_KAREN, VILNIUS_LILIT, *CHISINAU},
}
# Who sees the demo's own tasks of each owner: the owner and the managers above them.
SEEN_BY = {
    "officer@demo.am": {"officer@demo.am", "manager@demo.am"},
    "manager@demo.am": {"manager@demo.am"},
    "lilit@demo.am": {"lilit@demo.am", "armen@demo.am"},
    "armen@demo.am": {"armen@demo.am"},
    "gohar@demo.am": {"gohar@demo.am", "armen@demo.am"},
}
EXPECTED = {
    email: titles
    | {
        task.title
        for task in DEMO_TASKS
        if email in SEEN_BY[task.owner] or email in ("staff@demo.am", "admin@demo.am")
    }
    for email, titles in REPORTS.items()
}


@pytest.fixture
def app(tmp_path: Path, demo_template: Path) -> Iterator[Flask]:
    """A copy of the database `tracker demo` loaded once for the session."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=copy_database(demo_template, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def task_titles(html: str) -> set[str]:
    titles = re.findall(r'<a href="/tasks/\d+">([^<]+)</a>', html)
    prefixes = {VILNIUS_ANI, VILNIUS_KAREN, VILNIUS_LILIT, *CHISINAU} | {
        task.title for task in DEMO_TASKS
    }
    return {next(p for p in prefixes if title.startswith(p)) for title in titles}


def sign_in(client, email: str):
    password = next(user.password for user in DEMO_USERS if user.email == email)
    return client.submit("/login", {"email": email, "password": password}, follow_redirects=True)


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_each_demo_login_sees_what_its_role_may_see(client, email: str) -> None:
    page = sign_in(client, email)
    assert page.status_code == 200
    role = next(user.role for user in DEMO_USERS if user.email == email)
    assert page.request.path == ("/tasks" if role == "officer" else "/dashboard")
    everything = client.get("/tasks?scope=all&closed=1", follow_redirects=True)
    assert task_titles(everything.get_data(as_text=True)) == EXPECTED[email]
    admin_page = client.get("/admin/users")
    assert admin_page.status_code == (200 if email == "admin@demo.am" else 403)
    upload_page = client.get("/reports/upload")
    assert upload_page.status_code == (200 if email in ("staff@demo.am", "admin@demo.am") else 403)


def test_the_demo_leaves_two_reports_for_review(client) -> None:
    sign_in(client, "staff@demo.am")
    html = client.get("/reports").get_data(as_text=True)
    assert html.count("badge-draft") == 2
    assert "hy-lyon-2025-09.docx" in html and "hy-tbilisi-2024-07.pdf" in html


def test_the_officers_list_is_in_armenian_with_the_overdue_task_marked(client, clock) -> None:
    # On the clock's day Ani's Vilnius task (due 2025-03-31) is overdue, and two of the
    # demo's own (25 and 60 days before the day the demo was loaded).
    html = sign_in(client, "officer@demo.am").get_data(as_text=True)
    assert '<html lang="hy">' in html
    assert html.count('class="overdue"') == 3
