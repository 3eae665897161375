"""The outbox: emails wait here until the sender delivers them, and stay when it cannot.

Delivery claims rows before sending (on PostgreSQL with FOR UPDATE SKIP LOCKED, so two
senders never take the same row), sends a batch over one SMTP connection, and records each
outcome: sent, or the error and the time of the next try (exponential backoff), or, after
the last try, failed, for an admin to retry.
"""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import func, or_, select, update

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


def _as_mail(row: OutboxMessage) -> Message:
    message = Message(
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


def send_batch(rows: Sequence[OutboxMessage], now: datetime) -> DeliveryReport:
    """Send the claimed rows over one SMTP connection; one bad recipient fails alone."""
    report = DeliveryReport()
    max_attempts = current_app.config["TRACKER_MAIL_MAX_ATTEMPTS"]

    def failed(row: OutboxMessage, error: BaseException) -> None:
        if record_failure(row, _describe(error), now, max_attempts):
            report.retrying += 1
        else:
            report.failed += 1

    try:
        with TimedConnection(current_app.extensions["mail"]) as smtp:
            for row in rows:
                try:
                    smtp.send(_as_mail(row))
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as error:
                    failed(row, error)
                else:
                    record_sent(row, now)
                    report.sent += 1
    except (OSError, smtplib.SMTPException) as error:
        # The server is down or dropped us: every row not yet sent waits for the next try.
        report.connection_error = _describe(error)
        for row in rows:
            if row.status is OutboxStatus.SENDING:
                failed(row, error)
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


def waiting_count() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                or_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.status == OutboxStatus.SENDING,
                )
            )
        )
        or 0
    )
