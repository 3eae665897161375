"""The sender under the faults of a real office, on SQLite and PostgreSQL, counted at a real
SMTP server by Message-ID: bad addresses, refusals, outages, crashes and stops."""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import RecordingHandler, SMTPServer, free_port, make_app
from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus, Role, User, utcnow
from tracker.notifications import outbox
from tracker.notifications.jobs import deliver_outbox

NOW = datetime(2025, 3, 31, 6, 0, tzinfo=UTC)
TRACKER = Path(sys.executable).parent / "tracker"


class FaultyHandler(RecordingHandler):
    """An SMTP server that answers some recipients with a code, and can be slow."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.answers: dict[str, str] = {}  # address prefix -> SMTP answer to RCPT TO

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        for prefix, answer in self.answers.items():
            if address.startswith(prefix):
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def queue(addresses: list[str], *, written: datetime = NOW) -> list[int]:
    rows = [
        OutboxMessage(
            to_address=address,
            language="en",
            subject=f"Digest {number}",
            body_text="text",
            body_html="<p>html</p>",
            message_id=f"<fault.{number}@tracker.test>",
            next_attempt_at=written,
            created_at=written,
        )
        for number, address in enumerate(addresses)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def good(count: int) -> list[str]:
    return [f"person{number}@example.am" for number in range(count)]


def statuses() -> dict[str, int]:
    db.session.expire_all()
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {status.value: count for status, count in db.session.execute(query)}


def by_address(address: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address)
    ).one()


def received(server: SMTPServer) -> collections.Counter[str]:
    return collections.Counter(message["Message-ID"] for message in server.messages)


@pytest.fixture
def faulty_server() -> Iterator[SMTPServer]:
    server = SMTPServer(port=free_port(), handler=FaultyHandler())
    server.start()
    yield server
    server.stop()


def point_mail_at(app: Flask, port: int) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port


BAD_ADDRESSES = ["ani@example.am\nBcc: everyone@example.am", "ani@մարզպետարան..am"]


def test_bad_addresses_fail_alone_and_nothing_is_sent_twice(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    addresses = good(15) + BAD_ADDRESSES[:1] + good(30)[15:] + BAD_ADDRESSES[1:]
    queue(addresses)

    first = deliver_outbox(NOW)
    assert (first.sent, first.retrying, first.failed) == (30, 0, 2)
    assert first.connection_error is None
    for later in (NOW, NOW + timedelta(minutes=20), NOW + timedelta(days=1)):
        assert deliver_outbox(later, include_waiting=True).sent == 0

    counts = received(faulty_server)
    assert len(counts) == 30 and set(counts.values()) == {1}
    assert statuses() == {"sent": 30, "failed": 2}
    assert by_address(BAD_ADDRESSES[0]).last_error == (
        "BadHeaderError: a line break in the address, the sender or the subject"
    )
    assert "UnicodeError" in (by_address(BAD_ADDRESSES[1]).last_error or "")


def test_a_temporary_refusal_waits_and_a_permanent_one_fails(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    handler = faulty_server.handler
    assert isinstance(handler, FaultyHandler)
    handler.answers = {"busy@": "450 4.2.1 Mailbox busy", "gone@": "550 5.1.1 No such user"}
    queue(["busy@example.am", "gone@example.am", *good(3)])

    first = deliver_outbox(NOW)
    assert (first.sent, first.retrying, first.failed) == (3, 1, 1)
    busy, gone = by_address("busy@example.am"), by_address("gone@example.am")
    assert busy.status is OutboxStatus.PENDING and busy.attempts == 1
    assert busy.next_attempt_at == NOW + timedelta(minutes=1) or busy.next_attempt_at > NOW
    assert "450" in (busy.last_error or "")
    assert gone.status is OutboxStatus.FAILED and "550" in (gone.last_error or "")

    assert deliver_outbox(NOW + timedelta(seconds=30)).retrying == 0  # waits out the backoff
    assert deliver_outbox(NOW + timedelta(minutes=2)).retrying == 1  # still busy
    handler.answers = {"gone@": "550 5.1.1 No such user"}
    assert deliver_outbox(NOW + timedelta(hours=1)).sent == 1

    counts = received(faulty_server)
    assert len(counts) == 4 and set(counts.values()) == {1}
    assert statuses() == {"sent": 4, "failed": 1}


def test_a_temporary_refusal_fails_after_the_retry_window(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    any_database_app.config["TRACKER_MAIL_RETRY_HOURS"] = 48
    handler = faulty_server.handler
    assert isinstance(handler, FaultyHandler)
    handler.answers = {"busy@": "451 4.3.0 Try later"}
    queue(["busy@example.am"])
    assert deliver_outbox(NOW + timedelta(hours=47)).retrying == 1
    assert deliver_outbox(NOW + timedelta(hours=49)).failed == 1
    assert statuses() == {"failed": 1}


def test_an_outage_longer_than_two_days_loses_nothing(any_database_app: Flask) -> None:
    port = free_port()
    point_mail_at(any_database_app, port)  # nothing listens there yet
    queue(good(12))

    # Every minute for the first hour, then hourly for two days: the old sender gave up
    # after 31 minutes.
    minutes = [*range(0, 60), *range(60, 48 * 60, 60)]
    for minute in minutes:
        down = deliver_outbox(NOW + timedelta(minutes=minute))
        assert down.connection_error and "ConnectionRefusedError" in down.connection_error
        assert (down.sent, down.failed) == (0, 0)
    assert statuses() == {"pending": 12}
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(row.attempts == 0 for row in rows), "an outage is not the message's fault"
    assert all("unavailable" in (row.last_error or "") for row in rows)

    server = SMTPServer(port=port, handler=RecordingHandler())
    server.start()
    try:
        back = deliver_outbox(NOW + timedelta(hours=48))
        assert (back.sent, back.failed, back.connection_error) == (12, 0, None)
        assert deliver_outbox(NOW + timedelta(hours=49), include_waiting=True).sent == 0
        counts = received(server)
    finally:
        server.stop()
    assert len(counts) == 12 and set(counts.values()) == {1}
    assert statuses() == {"sent": 12}


def test_an_outage_past_the_retry_window_fails_the_old_mail_only(any_database_app: Flask) -> None:
    point_mail_at(any_database_app, free_port())
    queue(["old@example.am"], written=NOW - timedelta(hours=80))
    queue_new = OutboxMessage(
        to_address="new@example.am",
        language="en",
        subject="New",
        body_text="text",
        body_html="<p>html</p>",
        message_id="<fault.new@tracker.test>",
        next_attempt_at=NOW,
        created_at=NOW,
    )
    db.session.add(queue_new)
    db.session.commit()
    deliver_outbox(NOW)
    assert by_address("old@example.am").status is OutboxStatus.FAILED
    assert "too long" in (by_address("old@example.am").last_error or "")
    assert by_address("new@example.am").status is OutboxStatus.PENDING


def test_an_admin_can_send_a_failed_email_again(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    handler = faulty_server.handler
    assert isinstance(handler, FaultyHandler)
    handler.answers = {"gone@": "550 5.1.1 No such user"}
    (row_id,) = queue(["gone@example.am"])
    deliver_outbox(NOW)
    assert statuses() == {"failed": 1}

    admin = User(email="admin@example.am", name="Admin", role=Role.ADMIN, password_hash="x")
    db.session.add(admin)
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None
    outbox.retry(row, admin, NOW + timedelta(minutes=5))
    db.session.commit()
    handler.answers = {}
    assert deliver_outbox(NOW + timedelta(minutes=5)).sent == 1
    assert received(faulty_server) == {"<fault.0@tracker.test>": 1}


def test_a_sent_email_is_never_queued_again_by_a_retry(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    (row_id,) = queue(["person@example.am"])
    deliver_outbox(NOW)
    admin = User(email="admin@example.am", name="Admin", role=Role.ADMIN, password_hash="x")
    db.session.add(admin)
    row = db.session.get(OutboxMessage, row_id)
    assert row is not None
    outbox.retry(row, admin, NOW)
    db.session.commit()
    assert statuses() == {"sent": 1}
    assert deliver_outbox(NOW + timedelta(hours=1), include_waiting=True).sent == 0


def test_remind_exits_non_zero_when_the_mail_server_is_unreachable(
    any_database_app: Flask,
) -> None:
    point_mail_at(any_database_app, free_port())
    queue(good(2), written=utcnow())
    result = any_database_app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 1
    assert "Mail server unreachable" in result.output
    assert statuses() == {"pending": 2}


def _remind_process(
    database_url: str, smtp_port: int, *extra: str, **settings: str
) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SECRET_KEY": "faults-" + "x" * 32,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "TRACKER_MAIL_BATCH_SIZE": "50",
        **settings,
    }
    return subprocess.Popen(
        [str(TRACKER), *extra],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(server: SMTPServer, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(server.messages) < count:
        assert time.monotonic() < deadline, f"only {len(server.messages)} arrived"
        time.sleep(0.02)


@pytest.fixture
def slow_server() -> Iterator[SMTPServer]:
    server = SMTPServer(port=free_port(), handler=FaultyHandler(delay=0.05))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def migrated_url(migrated_database_url: str, tmp_path: Path) -> str:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    with app.app_context():
        queue(good(40), written=utcnow())
        db.session.remove()
        db.engine.dispose()
    return migrated_database_url


@pytest.mark.parametrize("connections", ["1", "2"])
def test_kill_9_mid_batch_then_a_rerun_delivers_everything(
    migrated_url: str, slow_server: SMTPServer, connections: str
) -> None:
    settings = {"TRACKER_MAIL_LEASE_SECONDS": "1", "TRACKER_MAIL_CONNECTIONS": connections}
    process = _remind_process(migrated_url, slow_server.port, "remind", **settings)
    _wait_for(slow_server, 10)
    process.kill()
    process.communicate(timeout=10)
    at_kill = len(slow_server.messages)
    assert at_kill < 40, "the kill came too late to test anything"

    time.sleep(1.5)  # the dead sender's lease runs out
    rerun = _remind_process(migrated_url, slow_server.port, "remind", **settings)
    output = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, output

    counts = received(slow_server)
    assert len(counts) == 40, "every message arrives"
    duplicates = sum(counts.values()) - 40
    print(
        f"kill -9: {at_kill} arrived before the kill; after the rerun {len(counts)} distinct, "
        f"{duplicates} duplicate(s) with {connections} connection(s)"
    )
    # At most the message in flight on each connection when the process died.
    assert duplicates <= int(connections)


@pytest.mark.parametrize("command", [["remind"], ["scheduler"]])
def test_sigterm_mid_batch_finishes_the_message_in_flight_and_loses_nothing(
    migrated_url: str, slow_server: SMTPServer, command: list[str]
) -> None:
    # A long lease: the rerun must not need it, the stopped sender gives its claims back.
    settings = {"TRACKER_MAIL_LEASE_SECONDS": "600", "TRACKER_REMINDER_HOUR": "23"}
    process = _remind_process(migrated_url, slow_server.port, *command, **settings)
    _wait_for(slow_server, 10)
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    stdout, stderr = process.communicate(timeout=20)
    stopped_after = time.monotonic() - signalled
    at_stop = len(slow_server.messages)
    assert process.returncode == (1 if command == ["remind"] else 0), (stdout, stderr)
    assert len(slow_server.messages) < 40, "the stop came too late to test anything"

    rerun = _remind_process(migrated_url, slow_server.port, "remind", **settings)
    output = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, output
    counts = received(slow_server)
    print(
        f"SIGTERM to {command[0]}: exited in {stopped_after:.2f} s with {at_stop} delivered; "
        f"after the rerun {len(counts)} distinct, {sum(counts.values()) - 40} duplicate(s)"
    )
    assert len(counts) == 40 and set(counts.values()) == {1}, "each once: nothing re-sent"


def test_an_international_domain_is_delivered(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    queue(["ani@մարզպետարան.am"])
    assert deliver_outbox(NOW).sent == 1
    (message,) = faulty_server.messages
    assert message["To"] == "ani@xn--y9aaaoe6fta2a0cgf.am"


def test_remind_names_a_failed_address_on_one_line(
    any_database_app: Flask, faulty_server: SMTPServer
) -> None:
    point_mail_at(any_database_app, faulty_server.port)
    queue([BAD_ADDRESSES[0], "person@example.am"], written=utcnow())
    result = any_database_app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Delivered 1; 0 will be retried; 1 failed for good." in result.output
    assert (
        "  failed: ani@example.am\\nBcc: everyone@example.am: BadHeaderError: a line break in "
        "the address, the sender or the subject"
    ) in result.output.splitlines()
