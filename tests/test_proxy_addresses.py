"""Behind a reverse proxy the client's address is the forwarded one, and only then: a
client could otherwise forge X-Forwarded-For to escape the per-address throttle."""

from __future__ import annotations

from pathlib import Path

from flask import request

from tests.conftest import make_app


def _address_seen(tmp_path: Path, **settings: object) -> str:
    app = make_app(
        tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.sqlite'}", **settings
    )
    seen: list[str] = []

    @app.before_request
    def remember_address() -> None:
        seen.append(request.remote_addr or "")

    app.test_client().get(
        "/healthz",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    return seen[0]


def test_without_a_proxy_the_forwarded_header_is_ignored(tmp_path: Path) -> None:
    assert _address_seen(tmp_path) == "10.0.0.2"


def test_behind_one_proxy_the_forwarded_address_is_the_client(tmp_path: Path) -> None:
    assert _address_seen(tmp_path, TRACKER_PROXY_COUNT=1) == "203.0.113.7"
