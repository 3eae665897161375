from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path", ["/", "/tasks", "/tasks/1", "/admin/users", "/admin/departments", "/tasks/1/evidence"]
)
def test_every_page_but_login_and_healthz_needs_a_login(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_posts_also_need_a_login(client, make_user, make_task) -> None:
    task = make_task(make_user())
    token = client.csrf_token()
    response = client.post(f"/tasks/{task.id}/done", data={"csrf_token": token, "note": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_then_the_next_page(client, make_user) -> None:
    user = make_user(email="ani@example.am", name="Ani Sargsyan")
    response = client.get("/tasks?closed=1")
    login_page = response.headers["Location"]
    token = client.csrf_token(login_page)
    response = client.post(
        login_page,
        data={
            "csrf_token": token,
            "email": user.email,
            "password": "correct horse battery",
            "next": "/tasks?closed=1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tasks?closed=1"
    page = client.get("/tasks?closed=1").get_data(as_text=True)
    assert "Ani Sargsyan" in page


def test_wrong_password_is_refused_and_keeps_the_email(client, make_user) -> None:
    make_user(email="ani@example.am")
    response = client.login("ani@example.am", "not the password")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert 'value="ani@example.am"' in html
    assert client.get("/tasks").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_answer(client, make_user) -> None:
    make_user(email="ani@example.am")
    wrong_password = client.login("ani@example.am", "not the password").get_data(as_text=True)
    unknown = client.login("nobody@example.am", "not the password")
    assert unknown.status_code == 401
    message = "Սխալ էլ. հասցե կամ գաղտնաբառ։"
    assert message in unknown.get_data(as_text=True)
    assert message in wrong_password


def test_inactive_user_cannot_sign_in(client, make_user) -> None:
    make_user(email="gone@example.am", active=False)
    assert client.login("gone@example.am").status_code == 401


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_next_to_another_host_is_refused(client, make_user, next_url: str) -> None:
    user = make_user()
    response = client.submit(
        "/login", {"email": user.email, "password": "correct horse battery", "next": next_url}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_without_csrf_token_is_rejected(client, make_user) -> None:
    user = make_user()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/tasks").status_code == 302


def test_logout_needs_a_post_and_signs_out(client, make_user) -> None:
    user = make_user()
    client.login(user.email)
    assert client.get("/logout").status_code == 405
    assert client.submit("/logout", {}, page="/tasks").status_code == 302
    assert client.get("/tasks").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, make_user) -> None:
    user = make_user()
    response = client.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(app, runner) -> None:
    from tracker.auth.services import find_user_by_email

    runner.invoke(
        args=[
            "users",
            "add",
            "new@example.am",
            "--name",
            "New",
            "--role",
            "officer",
            "--password",
            "plain-text-secret",
        ]
    )
    user = find_user_by_email("new@example.am")
    assert user is not None
    assert "plain-text-secret" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
