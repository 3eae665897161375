"""The outbox: emails wait here until the sender delivers them, and stay when it cannot.

Delivery claims rows before sending (on PostgreSQL with FOR UPDATE SKIP LOCKED, so two
senders never take the same row), sends a batch over one SMTP connection, and records each
outcome: sent, or the error and the time of the next try (exponential backoff), or, after
the last try, failed, for an admin to retry.
"""

from __future__ import annotations

import email.policy
import secrets
import smtplib
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header

from flask import Flask, current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import OutboxMessage, OutboxStatus, Role, User, utcnow
from tracker.permissions import PermissionDenied

# A claim older than this belongs to a sender that died; its rows go back to the queue.
STALE_CLAIM = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=2)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    connection_error: str | None = None  # set when the SMTP server could not be used at all

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.connection_error = other.connection_error or self.connection_error


class TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a silent SMTP server must not hang
    the sender forever (Flask-Mail 0.10 has no setting for it)."""

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        timeout = current_app.config["TRACKER_SMTP_TIMEOUT"]
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure, at most two hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def release_stale_claims(now: datetime) -> int:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
    )
    return result.rowcount or 0


def claim(
    now: datetime,
    limit: int,
    *,
    include_waiting: bool = False,
    tried: Collection[int] = (),
) -> list[OutboxMessage]:
    """Mark up to `limit` pending rows as this sender's and return them.

    `include_waiting` also takes rows still waiting out their backoff (an operator running
    `tracker remind` by hand wants everything tried now); `tried` are rows this run has
    already tried, so a failing row is not taken again in the same run.
    """
    claimer = secrets.token_hex(8)
    due = select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING)
    if not include_waiting:
        due = due.where(OutboxMessage.next_attempt_at <= now)
    if tried:
        due = due.where(OutboxMessage.id.not_in(tried))
    due = due.order_by(OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        return []
    # The status condition makes the claim safe on SQLite too: a row another sender has
    # claimed since we read it is no longer pending, so the update skips it.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_by=claimer, claimed_at=now)
    )
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == claimer)
            .order_by(OutboxMessage.id)
        )
    )


class OutboxMail(Message):
    """Flask-Mail's message, written out with the classic email policy: the same bytes on
    the wire for our plain headers, without re-parsing every header through the modern
    header registry (most of the sender's time at a thousand digests a run)."""

    def _message(self):  # type: ignore[no-untyped-def]
        message = super()._message()
        message.policy = SMTP_CLASSIC
        # Named, the encoded subject starts on the Subject: line instead of the next one.
        del message["Subject"]
        subject = self.subject or ""
        message["Subject"] = (
            subject if subject.isascii() else Header(subject, "utf-8", header_name="Subject")
        )
        return message


SMTP_CLASSIC = email.policy.compat32.clone(linesep="\r\n")


def _as_mail(row: OutboxMessage) -> Message:
    message = OutboxMail(
        subject=row.subject,
        recipients=[row.to_address],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    message.msgId = row.message_id
    return message


def record_sent(row: OutboxMessage, now: datetime) -> None:
    row.status = OutboxStatus.SENT
    row.sent_at = now
    row.attempts += 1
    row.last_error = None
    row.claimed_by = None


def record_failure(row: OutboxMessage, error: str, now: datetime, max_attempts: int) -> bool:
    """Record a failed try; True when the row will be tried again."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_by = None
    if row.attempts >= max_attempts:
        row.status = OutboxStatus.FAILED
        return False
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now + backoff(row.attempts)
    return True


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


@dataclass(frozen=True)
class _Outgoing:
    """What a sending thread needs of a row: no ORM object crosses the thread boundary."""

    id: int
    mail: Message


def _send_over_one_connection(
    app: Flask, outgoing: Sequence[_Outgoing]
) -> tuple[dict[int, BaseException | None], BaseException | None]:
    """Send over one SMTP connection: each row's error (None when sent), and the error that
    ended the connection, if one did (the rows not reached are left out of the first)."""
    results: dict[int, BaseException | None] = {}
    with app.app_context():
        try:
            with TimedConnection(app.extensions["mail"]) as smtp:
                for item in outgoing:
                    try:
                        smtp.send(item.mail)
                    except (
                        smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPDataError,
                        smtplib.SMTPSenderRefused,
                    ) as error:
                        results[item.id] = error  # this recipient only; go on with the rest
                    else:
                        results[item.id] = None
        except (OSError, smtplib.SMTPException) as error:
            return results, error
    return results, None


def send_batch(rows: Sequence[OutboxMessage], now: datetime) -> DeliveryReport:
    """Send the claimed rows, split over up to TRACKER_MAIL_CONNECTIONS SMTP connections
    in parallel (each one connection for its share of the batch), and record each outcome.

    While one connection waits for the server's answer the other writes its next message,
    which is where the time goes at a thousand digests a run.
    """
    report = DeliveryReport()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    max_attempts = app.config["TRACKER_MAIL_MAX_ATTEMPTS"]
    connections = max(1, min(app.config["TRACKER_MAIL_CONNECTIONS"], len(rows)))
    outgoing = [_Outgoing(row.id, _as_mail(row)) for row in rows]
    shares = [outgoing[index::connections] for index in range(connections)]
    with ThreadPoolExecutor(max_workers=connections) as pool:
        outcomes = list(pool.map(lambda share: _send_over_one_connection(app, share), shares))

    results: dict[int, BaseException | None] = {}
    for sent_or_refused, connection_error in outcomes:
        results.update(sent_or_refused)
        if connection_error is not None:
            report.connection_error = _describe(connection_error)
    for row in rows:
        error = results.get(row.id, ConnectionError(report.connection_error or "not sent"))
        if error is None:
            record_sent(row, now)
            report.sent += 1
        elif record_failure(row, _describe(error), now, max_attempts):
            report.retrying += 1
        else:
            report.failed += 1
    return report


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def retry(row: OutboxMessage, actor: User, now: datetime | None = None) -> None:
    """An admin sends a failed (or waiting) row again at the next delivery."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied
    if row.status is OutboxStatus.SENT:
        return
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now or utcnow()
    row.claimed_by = None


def outbox_page(
    status: str | None, page: int, per_page: int = 50
) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], (page + 1 if len(rows) > per_page else 0)
