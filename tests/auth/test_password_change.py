"""A person changes their own password on /settings/password: the current one first, the
new one twice and by the rules; their other sessions end, this browser stays signed in."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD, TrackerClient
from tracker.audit import AuditKind
from tracker.auth.services import authenticate
from tracker.extensions import db
from tracker.models import AuditEvent

NEW_PASSWORD = "lake sevan in november"


def browser(app) -> TrackerClient:
    app.test_client_class = TrackerClient
    return app.test_client()


def change(client, current: str, new: str, again: str | None = None):
    return client.submit(
        "/settings/password", {"current": current, "password": new, "confirm": again or new}
    )


def test_changing_the_password_ends_the_other_sessions(app, make_user) -> None:
    user = make_user()
    here, elsewhere = browser(app), browser(app)
    here.login(user.email)
    elsewhere.login(user.email)
    assert elsewhere.get("/tasks").status_code == 200
    settings = here.get("/settings").get_data(as_text=True)
    assert 'href="/settings/password"' in settings

    response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/settings")
    assert here.get("/tasks").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/tasks").status_code == 302  # the other one is signed out
    db.session.expire_all()
    assert authenticate(user.email, NEW_PASSWORD) is not None
    assert authenticate(user.email, PASSWORD) is None
    entries = db.session.scalars(
        select(AuditEvent.kind).where(AuditEvent.subject == f"user:{user.id}")
    ).all()
    assert AuditKind.PASSWORD_CHANGED.value in entries


def test_the_current_password_is_required(app, client, make_user) -> None:
    user = make_user()
    client.login(user.email)
    response = change(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    assert authenticate(user.email, PASSWORD) is not None


def test_the_rules_apply_with_a_clear_message(app, client, make_user) -> None:
    user = make_user(email="vardan.petrosyan@example.am")
    client.login(user.email)
    common = change(client, PASSWORD, "qwertyuiop123")
    assert common.status_code == 400
    assert "among the most common" in common.get_data(as_text=True)
    own_name = change(client, PASSWORD, "i am vardan.petrosyan!")
    assert "name of your email address" in own_name.get_data(as_text=True)
    differ = change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "?")
    assert "The two passwords differ." in differ.get_data(as_text=True)
    assert authenticate(user.email, PASSWORD) is not None


def test_the_message_is_armenian_for_an_armenian_reader(app, client, make_user) -> None:
    user = make_user(language="hy")
    client.login(user.email)
    response = change(client, PASSWORD, "short")
    text = response.get_data(as_text=True)
    assert "Գաղտնաբառը պետք է ունենա առնվազն 12 նիշ" in text


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/settings/password")
    assert response.status_code == 302 and "/login" in response.location
