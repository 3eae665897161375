"""Sign-in throttling (#12 item 3), through real HTTP with the test client.

After TRACKER_THROTTLE_FREE_FAILURES (5) failures for an account, or
TRACKER_THROTTLE_ADDRESS_FREE_FAILURES (20) from an address, each further try waits 1, 2,
4 … minutes (at most 15) after the last failure; meanwhile the login page answers 429 with
the wait in the reader's language and does not check the password. The tries are counted
in the database, so two application processes on one PostgreSQL database share the count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import PASSWORD, PASSWORD_HASH, MovingClock, TrackerClient, make_app
from tracker.auth import throttle
from tracker.clock import install_clock
from tracker.extensions import db
from tracker.models import AuditEvent, Role, SignInAttempt, User

WRONG = "not the password"


def new_client(app: Flask, address: str = "127.0.0.1") -> TrackerClient:
    app.test_client_class = TrackerClient
    client: TrackerClient = app.test_client()  # type: ignore[assignment]
    client.environ_base["REMOTE_ADDR"] = address
    return client


def in_english(client: TrackerClient) -> TrackerClient:
    with client.session_transaction() as session:
        session["language"] = "en"
    return client


def fail(client: TrackerClient, email: str, times: int = 1) -> None:
    for _ in range(times):
        assert client.login(email, WRONG).status_code == 401


def signed_in(client: TrackerClient) -> bool:
    return client.get("/tasks").status_code == 200


def attempts(**where: object) -> list[SignInAttempt]:
    db.session.expire_all()
    query = sa.select(SignInAttempt).filter_by(**where).order_by(SignInAttempt.id)
    return list(db.session.scalars(query))


def audit_kinds() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_after_five_failures_even_the_right_password_waits(app, make_user, moving_clock) -> None:
    user = make_user(email="ani@example.am")
    client = in_english(new_client(app))
    fail(client, user.email, 5)

    response = client.login(user.email)
    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 1 minute." in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert 'value="ani@example.am"' in response.get_data(as_text=True)  # what was typed stays
    assert not signed_in(client)

    moving_clock.advance(seconds=61)
    assert client.login(user.email).status_code == 302
    assert signed_in(client)

    # The refused try was not counted (nor its password checked); the rest were, in order.
    assert [attempt.succeeded for attempt in attempts(account=user.email)] == [False] * 5 + [True]
    assert audit_kinds() == ["sign_in_failed"] * 5 + ["sign_in_throttled", "signed_in"]
    db.session.expire_all()
    failed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.kind == "sign_in_failed")
    ).first()
    assert failed is not None
    assert (failed.actor_label, failed.address, failed.subject) == (
        "ani@example.am",
        "127.0.0.1",
        f"user:{user.id}",
    )


def test_the_message_in_armenian(app, make_user, moving_clock) -> None:
    user = make_user()
    client = new_client(app)  # the login page is Armenian by default
    fail(client, user.email, 5)
    response = client.login(user.email)
    assert response.status_code == 429
    assert "Մուտքի չափազանց շատ փորձեր։ Կրկին փորձեք 1 րոպե անց։" in response.get_data(as_text=True)


def test_the_delay_grows_up_to_fifteen_minutes(app, make_user, moving_clock) -> None:
    user = make_user()
    client = in_english(new_client(app))
    fail(client, user.email, 5)
    waits = []
    for _ in range(7):
        response = client.login(user.email, WRONG)
        assert response.status_code == 429
        seconds = int(response.headers["Retry-After"])
        waits.append(-(-seconds // 60))
        page = response.get_data(as_text=True)
        assert f"Try again in {waits[-1]} minute" in page
        moving_clock.advance(seconds=seconds + 1)
        fail(client, user.email)  # after the wait the password is checked again
    assert waits == [1, 2, 4, 8, 15, 15, 15]


def test_a_stranger_cannot_lock_the_owner_out_for_good(app, make_user, moving_clock) -> None:
    owner_email = "owner@example.am"
    make_user(email=owner_email)
    stranger = new_client(app, "198.51.100.66")
    owner = new_client(app, "203.0.113.10")

    # The stranger guesses as fast as the throttle lets through, for two hours, hammering
    # the form meanwhile, and stops right after a real guess…
    guesses = 0
    while True:
        response = stranger.login(owner_email, WRONG)
        if response.status_code == 401:
            guesses += 1
            if moving_clock.offset > timedelta(hours=2):
                break
        else:
            assert response.status_code == 429
            moving_clock.advance(seconds=int(response.headers["Retry-After"]) // 2 + 1)
    # …having had 5 free guesses, 4 more in the next 15 minutes (after 1, 2, 4 and 8), then
    # one per 15 minutes; every one recorded, none of the refused tries.
    assert guesses <= 5 + 4 + 105 // 15 + 2
    assert len(attempts(account=owner_email)) == guesses

    # The owner, elsewhere, is refused for now, but waits at most the longest delay.
    assert owner.login(owner_email).status_code == 429
    moving_clock.advance(minutes=15, seconds=1)
    assert owner.login(owner_email).status_code == 302
    assert signed_in(owner)


def test_a_success_clears_the_accounts_count(app, make_user, moving_clock) -> None:
    user = make_user()
    client = new_client(app)
    fail(client, user.email, 4)
    assert client.login(user.email).status_code == 302
    client.submit("/logout", {}, page="/tasks")
    fail(client, user.email, 4)
    assert client.login(user.email).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app, make_user, moving_clock) -> None:
    assert app.config["TRACKER_THROTTLE_ADDRESS_FREE_FAILURES"] == 50
    app.config["TRACKER_THROTTLE_ADDRESS_FREE_FAILURES"] = 12  # a shorter test
    users = [make_user() for _ in range(3)]
    guesser = in_english(new_client(app, "198.51.100.7"))
    for number in range(12):
        fail(guesser, f"nobody{number}@example.am")
    response = guesser.login(users[0].email)
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.get_data(as_text=True)

    # Another address is not concerned, nor are the accounts themselves.
    assert new_client(app, "203.0.113.10").login(users[0].email).status_code == 302


def test_forgot_password_requests_are_counted_too(app, moving_clock) -> None:
    """Every reset request counts (its answer says nothing about the account)."""
    reset = throttle.Kind.PASSWORD_RESET
    with app.test_request_context():
        for _ in range(5):
            assert throttle.check(reset, "ani@example.am", "10.0.0.1") is None
            throttle.note(reset, "ani@example.am", "10.0.0.1", succeeded=True)
        delay = throttle.check(reset, " Ani@Example.am ", "10.0.0.2")
        assert delay is not None and delay.by == "account" and delay.minutes == 1
        # Sign-ins are another count.
        assert throttle.check(throttle.Kind.SIGN_IN, "ani@example.am", "10.0.0.1") is None
        moving_clock.advance(seconds=61)
        assert throttle.check(reset, "ani@example.am", "10.0.0.1") is None


def test_old_attempts_are_forgotten(app, make_user, moving_clock) -> None:
    user = make_user()
    client = new_client(app)
    fail(client, user.email, 3)
    moving_clock.advance(minutes=app.config["TRACKER_THROTTLE_WINDOW_MINUTES"] + 1)
    fail(client, user.email)
    assert len(attempts(account=user.email)) == 1


@pytest.fixture
def two_postgres_apps(migrated_postgres_url: str, tmp_path: Path) -> Iterator[list[Flask]]:
    """Two application processes (gunicorn workers, or machines) on one PostgreSQL
    database, with one user, on one clock."""
    clock = MovingClock()
    apps = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        app = make_app(tmp_path / name, SQLALCHEMY_DATABASE_URI=migrated_postgres_url)
        install_clock(app, clock)
        app.extensions["test_clock"] = clock
        apps.append(app)
    with apps[0].app_context():
        user = User(
            email="ani@example.am",
            name="Ani",
            role=Role.OFFICER,
            language="en",
            password_hash=PASSWORD_HASH,
        )
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    yield apps
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
def test_two_app_processes_on_postgresql_share_the_count(two_postgres_apps) -> None:
    """Failures split between the two processes add up."""
    first, second = (new_client(app) for app in two_postgres_apps)
    fail(first, "ani@example.am", 3)
    fail(second, "ani@example.am", 2)
    assert first.login("ani@example.am").status_code == 429
    assert second.login("ani@example.am").status_code == 429
    two_postgres_apps[0].extensions["test_clock"].advance(seconds=61)
    assert second.login("ani@example.am", PASSWORD).status_code == 302


@pytest.mark.postgres
def test_tries_sent_at_once_take_turns(two_postgres_apps) -> None:
    """Twelve wrong passwords sent at the same moment through both processes: five are
    checked, the others wait (none passes the throttle before the others are counted)."""
    clients = [new_client(app) for app in two_postgres_apps for _ in range(6)]
    tokens = [client.csrf_token() for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def try_once(client: TrackerClient, token: str) -> None:
        start.wait()
        data = {"csrf_token": token, "email": "ani@example.am", "password": WRONG}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [
        threading.Thread(target=try_once, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 7
