"""Sessions that end (#12 item 2), through real HTTP with the test client: logout, a
password change (or reset) and deactivation end every session and remember-me token of the
user; remember-me tokens are per sign-in, stored hashed and expire on the server; a session
unused for TRACKER_SESSION_IDLE_MINUTES is refused, even when its old cookie is sent again."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from tests.conftest import PASSWORD, TrackerClient
from tracker.auth.services import end_all_sessions
from tracker.extensions import db
from tracker.models import AuditEvent, RememberToken, User

REMEMBER = "tracker_remember"


def new_client(app: Flask) -> TrackerClient:
    app.test_client_class = TrackerClient
    return app.test_client()  # type: ignore[return-value]


def signed_in(client: TrackerClient) -> bool:
    response = client.get("/tasks")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def sign_in_remembered(client: TrackerClient, email: str) -> str:
    response = client.submit("/login", {"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None
    return cookie.value


def only_remember_cookie(app: Flask, value: str) -> TrackerClient:
    """Another browser holding nothing but the remember-me cookie (no session)."""
    other = new_client(app)
    other.set_cookie(REMEMBER, value)
    return other


def tokens_of(user: User) -> list[RememberToken]:
    db.session.expire_all()
    query = sa.select(RememberToken).where(RememberToken.user_id == user.id)
    return list(db.session.scalars(query))


def audit_kinds(user: User) -> list[str]:
    db.session.expire_all()
    query = sa.select(AuditEvent.kind).where(AuditEvent.subject == f"user:{user.id}")
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_remember_me_token_is_per_sign_in_hashed_and_http_only(app, client, make_user) -> None:
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    set_cookies = response.headers.getlist("Set-Cookie")
    remember = next(cookie for cookie in set_cookies if cookie.startswith(f"{REMEMBER}="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    assert f"Max-Age={14 * 24 * 3600}" in remember
    # Flask-Login's own cookie (a signed user id that never expires) is not set.
    assert not any(cookie.startswith("remember_token=") for cookie in set_cookies)

    first = client.get_cookie(REMEMBER).value
    second_browser = new_client(app)
    second = sign_in_remembered(second_browser, user.email)
    assert first != second

    tokens = tokens_of(user)
    assert len(tokens) == 2
    for cookie in (first, second):
        token_id, secret = cookie.split(":")
        token = next(token for token in tokens if token.id == int(token_id))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.expires_at - token.created_at == timedelta(days=14)
    # The database holds no cookie secret, anywhere.
    with db.engine.connect() as connection:
        dump = "\n".join(connection.connection.driver_connection.iterdump())  # type: ignore[union-attr]
    for cookie in (first, second):
        assert cookie.split(":")[1] not in dump


def test_remember_me_signs_in_a_browser_without_a_session(app, client, make_user) -> None:
    user = make_user()
    cookie = sign_in_remembered(client, user.email)
    other = only_remember_cookie(app, cookie)
    assert signed_in(other)
    assert signed_in(other)  # now on its own session
    (token,) = tokens_of(user)
    assert token.last_used_at is not None


def test_logout_ends_the_remember_me_token_and_every_other_session(app, client, make_user) -> None:
    user = make_user()
    cookie = sign_in_remembered(client, user.email)
    holder_of_the_cookie = only_remember_cookie(app, cookie)
    other_browser = new_client(app)
    other_browser.login(user.email)
    assert signed_in(holder_of_the_cookie) and signed_in(other_browser)

    response = client.submit("/logout", {}, page="/tasks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert any(
        cookie.startswith(f"{REMEMBER}=;") for cookie in response.headers.getlist("Set-Cookie")
    )

    assert not signed_in(client)
    assert tokens_of(user) == []
    # The same cookie in another browser, and the other browser's session, no longer work.
    assert not signed_in(only_remember_cookie(app, cookie))
    assert not signed_in(holder_of_the_cookie)
    assert not signed_in(other_browser)
    assert audit_kinds(user) == ["signed_in", "signed_in", "signed_out"]


def test_logout_needs_the_csrf_token(client, make_user) -> None:
    user = make_user()
    client.login(user.email)
    assert client.post("/logout").status_code == 400
    assert signed_in(client)


def test_ending_all_sessions_refuses_another_browsers_session_cookie(
    app, client, make_user
) -> None:
    """A password change or reset calls end_all_sessions: the session cookie of a second
    browser, copied as a thief would, stops working."""
    user = make_user()
    client.login(user.email)
    session_cookie = client.get_cookie("session")
    thief = new_client(app)
    thief.set_cookie("session", session_cookie.value)
    assert signed_in(thief)

    end_all_sessions(user, actor=user, address="192.0.2.1")
    db.session.commit()

    assert not signed_in(thief)
    assert not signed_in(client)
    assert client.login(user.email).status_code == 302  # a new sign-in works
    assert signed_in(client)
    assert audit_kinds(user) == ["signed_in", "sessions_ended", "signed_in"]


def test_deactivation_ends_sessions_and_remember_me_tokens(app, client, make_user) -> None:
    user = make_user()
    cookie = sign_in_remembered(client, user.email)
    other = new_client(app)
    other.login(user.email)

    user.active = False
    end_all_sessions(user)
    db.session.commit()

    assert not signed_in(client)
    assert not signed_in(other)
    assert not signed_in(only_remember_cookie(app, cookie))
    assert client.login(user.email).status_code == 401


def test_a_deactivated_users_old_session_is_refused_even_before_the_version_changes(
    app, client, make_user
) -> None:
    user = make_user()
    client.login(user.email)
    user.active = False
    db.session.commit()
    assert not signed_in(client)


def test_remember_me_token_expires_on_the_server(app, client, make_user, moving_clock) -> None:
    user = make_user()
    cookie = sign_in_remembered(client, user.email)

    moving_clock.advance(days=13)
    assert signed_in(only_remember_cookie(app, cookie))

    moving_clock.advance(days=1, minutes=1)
    refused = only_remember_cookie(app, cookie)
    response = refused.get("/tasks")
    assert response.status_code == 302
    # The browser is told to forget the cookie, and the token is gone.
    assert any(
        cookie.startswith(f"{REMEMBER}=;") for cookie in response.headers.getlist("Set-Cookie")
    )
    assert tokens_of(user) == []


def test_a_forged_or_unknown_remember_cookie_is_refused(app, client, make_user) -> None:
    user = make_user()
    cookie = sign_in_remembered(client, user.email)
    token_id, secret = cookie.split(":")
    for forged in (f"{token_id}:{secret[:-2]}xx", f"{int(token_id) + 1}:{secret}", "1", "x:y"):
        assert not signed_in(only_remember_cookie(app, forged)), forged


def test_a_session_unused_for_the_idle_time_is_refused(
    app, client, make_user, moving_clock
) -> None:
    assert app.config["TRACKER_SESSION_IDLE_MINUTES"] == 60
    user = make_user()
    response = client.login(user.email)
    assert "Expires=" in next(
        cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith("session=")
    )
    first_cookie = client.get_cookie("session").value

    # Used every 50 minutes, it stays valid for hours.
    for _ in range(4):
        moving_clock.advance(minutes=50)
        assert signed_in(client)

    # The cookie of the first request, sent again: the server refuses it (it was last seen
    # more than an hour ago), though the browser would still send it.
    replayed = new_client(app)
    replayed.set_cookie("session", first_cookie)
    assert not signed_in(replayed)

    moving_clock.advance(minutes=61)
    assert not signed_in(client)


def test_the_idle_time_is_a_setting(app, client, make_user, moving_clock) -> None:
    app.config["TRACKER_SESSION_IDLE_MINUTES"] = 5
    user = make_user()
    client.login(user.email)
    moving_clock.advance(minutes=4)
    assert signed_in(client)
    moving_clock.advance(minutes=6)
    assert not signed_in(client)


def test_a_session_from_before_versions_is_refused(app, client, make_user) -> None:
    """A cookie holding a bare user id (signed by the same key) signs nobody in."""
    user = make_user()
    client.login(user.email)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not signed_in(client)


def test_expired_tokens_of_browsers_that_never_came_back_go_at_the_next_sign_in(
    app, client, make_user, moving_clock
) -> None:
    user = make_user()
    sign_in_remembered(new_client(app), user.email)
    sign_in_remembered(new_client(app), user.email)
    moving_clock.advance(days=15)
    sign_in_remembered(client, user.email)
    assert len(tokens_of(user)) == 1


def test_the_remember_me_cookie_is_secure_where_the_session_cookie_is(
    app, client, make_user
) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True  # production's default (TRACKER_SECURE_COOKIES)
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = next(
        cookie
        for cookie in response.headers.getlist("Set-Cookie")
        if cookie.startswith(f"{REMEMBER}=")
    )
    assert "Secure" in remember and "HttpOnly" in remember and "SameSite=Lax" in remember
