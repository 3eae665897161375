"""Every kind of response carries the security headers (#12 item 4); HSTS only in production;
production refuses a short secret key, from the factory and from the console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from config import ProductionConfig
from tests.conftest import TrackerClient, copy_database, make_app, vars_of
from tracker import create_app
from tracker.auth import public
from tracker.extensions import db
from tracker.feeds.services import issue_calendar_token
from tracker.models import Role
from tracker.security import CONTENT_SECURITY_POLICY, InsecureSettings

TRACKER = shutil.which("tracker", path=str(Path(sys.executable).parent))
LONG_KEY = "k" * 32


def assert_protected(response, *, hsts: bool = False) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert ("Strict-Transport-Security" in headers) is hsts


def test_every_kind_of_response_carries_the_headers(client, make_user) -> None:
    officer = make_user(Role.OFFICER)
    issue_calendar_token(officer)
    db.session.commit()
    feed = f"/calendar/{officer.calendar_token}.ics"

    responses = {
        "login": client.get("/login"),
        "healthz": client.get("/healthz"),
        "static": client.get("/static/css/app.css"),
        "feed": client.get(feed),
        "redirect to login": client.get("/tasks"),
        "csrf refusal": client.post("/language", data={"language": "en"}),
    }
    client.login(officer.email)
    responses |= {
        "page": client.get("/tasks"),
        "403": client.get("/admin/users"),
        "404": client.get("/no-such-page"),
    }
    expected = {
        "login": 200,
        "healthz": 200,
        "static": 200,
        "feed": 200,
        "redirect to login": 302,
        "csrf refusal": 400,
        "page": 200,
        "403": 403,
        "404": 404,
    }
    assert {name: r.status_code for name, r in responses.items()} == expected
    assert responses["feed"].mimetype == "text/calendar"
    for name, response in responses.items():
        try:
            assert_protected(response)
        except (AssertionError, KeyError) as error:
            raise AssertionError(f"{name}: {error!r} in {dict(response.headers)}") from error
        finally:
            response.close()


def test_a_task_page_cannot_be_framed(client, make_user, make_task) -> None:
    officer = make_user(Role.OFFICER)
    task = make_task(officer, title="Sign the memorandum")
    client.login(officer.email)

    response = client.get(f"/tasks/{task.id}")

    assert response.status_code == 200 and "Sign the memorandum" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_error_the_app_did_not_expect_carries_the_headers(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    @public
    def boom() -> str:
        raise RuntimeError("boom")

    app.test_client_class = TrackerClient
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_protected(response)


def production_app(tmp_path: Path, sqlite_template: Path, **settings: object) -> Flask:
    return make_app(
        tmp_path,
        **{
            **vars_of(ProductionConfig),
            "TESTING": True,
            "SECRET_KEY": LONG_KEY,
            "SQLALCHEMY_DATABASE_URI": copy_database(sqlite_template, tmp_path),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            **settings,
        },
    )


def test_production_adds_hsts_to_every_response(tmp_path: Path, sqlite_template: Path) -> None:
    app = production_app(tmp_path, sqlite_template)
    client = app.test_client()
    for path in ("/login", "/healthz", "/static/css/app.css", "/no-such-page"):
        with client.get(path) as response:
            assert_protected(response, hsts=True)
            assert response.headers["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains"
            )


@pytest.mark.parametrize("key", ["x", "a" * 31, "ա" * 15])  # 15 Armenian letters: 30 bytes
def test_production_refuses_a_short_secret_key(key: str) -> None:
    settings = {
        **vars_of(ProductionConfig),
        "SECRET_KEY": key,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    with pytest.raises(InsecureSettings) as refused:
        create_app(settings)
    message = str(refused.value)
    assert "TRACKER_SECRET_KEY" in message
    assert "at least 32" in message
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in message


def test_production_starts_with_a_key_of_32_bytes(tmp_path: Path, sqlite_template: Path) -> None:
    app = production_app(tmp_path, sqlite_template, SECRET_KEY="a" * 32)
    assert app.test_client().get("/login").status_code == 200


def run_tracker(tmp_path: Path, key: str) -> subprocess.CompletedProcess[str]:
    assert TRACKER, "the tracker console script is not installed in this environment"
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("TRACKER_")},
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": key,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite'}",
    }
    return subprocess.run(
        [TRACKER, "routes"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_the_console_script_refuses_to_start_production_with_a_short_key(tmp_path: Path) -> None:
    refused = run_tracker(tmp_path, "one-character-is-not-enough")
    assert refused.returncode != 0
    assert "TRACKER_SECRET_KEY" in refused.stderr and "token_hex(32)" in refused.stderr
    assert "/healthz" not in refused.stdout

    started = run_tracker(tmp_path, "a-long-enough-key-" + "0" * 14)
    assert started.returncode == 0, started.stderr
    assert "/healthz" in started.stdout


def test_the_outbox_email_preview_has_a_policy_of_its_own(app, client, make_user) -> None:
    """Emails style themselves inline: their preview is framed by the message's page alone."""
    from tracker.models import OutboxMessage, OutboxStatus

    row = OutboxMessage(
        to_address="ani@example.am",
        language="hy",
        subject="Reminder",
        body_text="Hello",
        body_html='<p style="color: #b42318">Hello <b>Ani</b></p>',
        message_id="<preview.1@tracker.test>",
        status=OutboxStatus.PENDING,
    )
    db.session.add(row)
    db.session.commit()
    client.login(make_user(Role.STAFF).email)
    assert client.get(f"/admin/outbox/{row.id}/email.html").status_code == 403
    client = app.test_client()
    client.login(make_user(Role.ADMIN).email)

    page = client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    preview = client.get(f"/admin/outbox/{row.id}/email.html")

    assert f'src="/admin/outbox/{row.id}/email.html"' in page and "srcdoc" not in page
    assert preview.get_data(as_text=True) == row.body_html
    policy = preview.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
