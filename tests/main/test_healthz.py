"""/healthz on a database that does not answer: 503 and "unavailable", never the error's text
(which names the server, the user or the file) to whoever asks this public address."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_app


def test_healthz_answers_ok_with_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/missing-folder/secret-name.sqlite",
        "postgresql+psycopg://secret-user:secret-password@127.0.0.1:1/secret-name",
    ],
    ids=["sqlite-broken-path", "postgresql-unreachable"],
)
def test_healthz_says_database_unavailable_without_the_error(
    tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url.format(tmp=tmp_path))

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}
    body = response.get_data(as_text=True)
    for secret in ("secret", "Error", "sqlite", "psycopg", "127.0.0.1", str(tmp_path)):
        assert secret not in body
    # The operator still finds the cause in the log.
    assert "/healthz: the database did not answer" in caplog.text
