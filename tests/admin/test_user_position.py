"""A user's position (#10 item 8): typed by the admin when adding the user, listed with the
users, and shown beside the name where a reviewer chooses a task's owners."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.reports.conftest import SAMPLES
from tests.reports.test_report_pages import upload
from tracker.auth.services import find_user_by_email
from tracker.extensions import db
from tracker.models import Role, User

NEW_USER = {
    "email": "anahit@example.am",
    "name": "Անահիտ Ղազարյան",
    "role": "officer",
    "department": "",
    "language": "hy",
    "password": "long-enough",
}


def test_the_admin_gives_a_new_user_a_position(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    response = client.submit("/admin/users", {**NEW_USER, "position": "  Գլխավոր մասնագետ "})
    assert response.status_code == 302
    user = find_user_by_email("anahit@example.am")
    assert user is not None and user.position == "Գլխավոր մասնագետ"
    assert "<td>Գլխավոր մասնագետ</td>" in client.get("/admin/users").get_data(as_text=True)


def test_a_position_may_be_left_empty(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    assert client.submit("/admin/users", {**NEW_USER, "position": "  "}).status_code == 302
    user = find_user_by_email("anahit@example.am")
    assert user is not None and user.position is None


def test_a_position_too_long_is_refused_and_what_was_typed_stays(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    response = client.submit("/admin/users", {**NEW_USER, "position": "Պ" * 201})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Անահիտ Ղազարյան"' in html and "Պ" * 201 in html
    assert find_user_by_email("anahit@example.am") is None


def test_adding_a_user_needs_the_csrf_token(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/admin/users", data={**NEW_USER, "position": "Մասնագետ"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_position_is_shown_where_owners_are_chosen(client, make_user) -> None:
    client.login(make_user(Role.ADMIN).email)
    client.submit("/admin/users", {**NEW_USER, "position": "Գլխավոր մասնագետ"})
    review = upload(client, SAMPLES / "hy-vilnius-2025-02.txt").headers["Location"]
    assert "Անահիտ Ղազարյան — Գլխավոր մասնագետ</option>" in client.get(review).get_data(
        as_text=True
    )
