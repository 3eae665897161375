""" "Send again" in the outbox: only what did not go out is queued again, checked in the
database after each POST."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus, Role
from tracker.notifications import outbox
from tracker.permissions import PermissionDenied

SENT_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
CLAIMED_AT = datetime(2026, 1, 5, 9, 29, tzinfo=UTC)
NEXT_ATTEMPT = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def message(status: OutboxStatus, **fields) -> OutboxMessage:
    row = OutboxMessage(
        to_address="ani@example.am",
        language="hy",
        subject="Reminder for Ani",
        body_text="Hello Ani",
        body_html="<p>Hello Ani</p>",
        message_id=f"<retry.{next(_numbers)}@tracker.test>",
        status=status,
        attempts=3,
        next_attempt_at=NEXT_ATTEMPT,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def state(row: OutboxMessage) -> tuple:
    db.session.expire_all()
    fresh = db.session.get_one(OutboxMessage, row.id)
    return (fresh.status, fresh.attempts, fresh.next_attempt_at, fresh.claimed_by, fresh.sent_at)


def retry_from_the_page(client, row: OutboxMessage):
    page = f"/admin/outbox/{row.id}"
    return client.submit(f"{page}/retry", {}, page=page)


@pytest.mark.parametrize(
    "status, fields",
    [
        (OutboxStatus.SENT, {"sent_at": SENT_AT}),
        (OutboxStatus.SENDING, {"claimed_by": "sender-1", "claimed_at": CLAIMED_AT}),
    ],
)
def test_sending_again_leaves_a_sent_or_sending_email_alone(
    client, make_user, status: OutboxStatus, fields: dict
) -> None:
    row = message(status, **fields)
    before = state(row)
    client.login(make_user(Role.ADMIN).email)

    assert retry_from_the_page(client, row).status_code == 302

    assert state(row) == before
    assert before[0] is status and before[1] == 3


def test_sending_again_queues_a_failed_email_now(app, make_user) -> None:
    row = message(OutboxStatus.FAILED, last_error="SMTPRecipientsRefused: mailbox full")
    row.claimed_by = "sender-1"
    admin = make_user(Role.ADMIN)
    now = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)

    outbox.retry(row, admin, now=now)
    db.session.commit()

    assert state(row) == (OutboxStatus.PENDING, 0, now, None, None)


def test_only_an_admin_may_send_again(app, make_user) -> None:
    row = message(OutboxStatus.FAILED)
    with pytest.raises(PermissionDenied):
        outbox.retry(row, make_user(Role.STAFF))
    db.session.rollback()
    assert state(row)[:2] == (OutboxStatus.FAILED, 3)
