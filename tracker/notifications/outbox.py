"""The outbox: emails wait here until the sender delivers them, and stay when it cannot.

Delivery is at least once per message, never per batch:

- A sender claims rows (on PostgreSQL with FOR UPDATE SKIP LOCKED, so two senders never take
  the same row) under a lease that a heartbeat renews while it works; the claims of a sender
  that died come back when the lease runs out, within a minute or so.
- Each row's outcome is committed as soon as the server has answered for it, so a crash
  re-sends at most the message that was in flight on each connection.
- An outage (no connection, a dropped connection, a timeout, a 4xx answer) is not the
  message's fault: it does not count as a try, and the message waits for the server for
  TRACKER_MAIL_RETRY_HOURS after it was written. Only a permanent (5xx) answer for that
  message, or an error building it (a bad address), fails it; the rest of the batch goes on.
- A stop request (SIGTERM, SIGINT) lets the message in flight finish; the other claims are
  released for the next sender at once.
- A message's attachments (the leadership digest's PDF) are stored with it and loaded with
  the batch that claims it (one query per batch), so a retry sends the same bytes.
"""

from __future__ import annotations

import contextlib
import email.policy
import secrets
import smtplib
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.mime.base import MIMEBase
from enum import StrEnum
from typing import Any, cast

from flask import Flask, current_app
from flask_mail import Connection, Message
from sqlalchemy import CursorResult, Update, func, select, update
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import OutboxAttachment, OutboxMessage, OutboxStatus, Role, User, utcnow
from tracker.permissions import PermissionDenied

MAX_BACKOFF = timedelta(hours=1)
ERROR_TEXT_LIMIT = 2000


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"  # a 4xx answer for this message: try it again later
    PERMANENT = "permanent"  # a 5xx answer, or a message that cannot be written: failed
    CONNECTION = "connection"  # the server went away: not this message's fault


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    connection_error: str | None = None  # set when the SMTP server could not be used
    interrupted: bool = False  # a stop was requested before everything was tried
    failures: list[tuple[str, str]] = field(default_factory=list)  # (address, error)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.connection_error = other.connection_error or self.connection_error
        self.interrupted = self.interrupted or other.interrupted
        self.failures.extend(other.failures)


@dataclass(frozen=True)
class DeliverySettings:
    """What the sender needs of the configuration, read once per run."""

    connections: int
    lease: timedelta
    retry_window: timedelta
    smtp_timeout: float
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliverySettings:
        return cls(
            connections=max(1, int(config["TRACKER_MAIL_CONNECTIONS"])),
            lease=timedelta(seconds=int(config["TRACKER_MAIL_LEASE_SECONDS"])),
            retry_window=timedelta(hours=float(config["TRACKER_MAIL_RETRY_HOURS"])),
            smtp_timeout=float(config["TRACKER_SMTP_TIMEOUT"]),
            sender=str(config["MAIL_DEFAULT_SENDER"]),
        )


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
    """1, 2, 4, 8 … minutes after the first, second, third … refusal, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 10)), MAX_BACKOFF)


def _updated(statement: Update) -> int:
    """Run an UPDATE and count the rows it changed. Its result is a CursorResult, which
    `Session.execute`'s signature does not say (it returns `Result` for every statement)."""
    result = cast("CursorResult[Any]", db.session.execute(statement))
    return result.rowcount or 0


def release_stale_claims(now: datetime, lease: timedelta) -> int:
    """Give the rows of senders whose lease ran out (they died) back to the queue."""
    return _updated(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - lease,
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None)
    )


def new_claimer() -> str:
    return secrets.token_hex(8)


def claim(
    now: datetime,
    limit: int,
    *,
    claimer: str | None = None,
    include_waiting: bool = False,
    after_id: int = 0,
) -> list[OutboxMessage]:
    """Mark up to `limit` pending rows as this sender's and return them, oldest first.

    `include_waiting` also takes rows still waiting out their backoff (an operator running
    `tracker remind` by hand wants everything tried now); `after_id` skips the rows a run
    has already been through, so a refused row is not tried twice in one run.
    """
    claimer = claimer or new_claimer()
    due = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.id > after_id
    )
    if not include_waiting:
        due = due.where(OutboxMessage.next_attempt_at <= now)
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
    # The attachments come with the rows, in one more query for the batch.
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == claimer, OutboxMessage.id.in_(ids))
            .options(selectinload(OutboxMessage.attachments))
            .order_by(OutboxMessage.id)
        )
    )


def renew_lease(claimer: str, now: datetime) -> int:
    return _updated(
        update(OutboxMessage)
        .where(
            OutboxMessage.claimed_by == claimer,
            OutboxMessage.status == OutboxStatus.SENDING,
        )
        .values(claimed_at=now)
    )


def release_claims(
    claimer: str, now: datetime, *, error: str | None, retry_window: timedelta
) -> int:
    """Give back the rows this sender claimed but did not try.

    After an outage their error is recorded (admins see why mail waits), and a row older
    than the retry window fails with it; a try is not counted, the outage was not its fault.
    """
    mine = (
        OutboxMessage.claimed_by == claimer,
        OutboxMessage.status == OutboxStatus.SENDING,
    )
    released: dict[str, object] = {
        "status": OutboxStatus.PENDING,
        "claimed_by": None,
        "claimed_at": None,
    }
    count = 0
    if error is not None:
        count += _updated(
            update(OutboxMessage)
            .where(*mine, OutboxMessage.created_at < now - retry_window)
            .values(
                status=OutboxStatus.FAILED,
                claimed_by=None,
                claimed_at=None,
                last_error=f"{error} (the mail server was unavailable for too long)"[
                    :ERROR_TEXT_LIMIT
                ],
            )
        )
        released["last_error"] = f"{error} (the mail server is unavailable; waiting)"[
            :ERROR_TEXT_LIMIT
        ]
    return count + _updated(update(OutboxMessage).where(*mine).values(**released))


class OutboxMail(Message):
    """Flask-Mail's message, written out with the classic email policy: the same bytes on
    the wire for our plain headers, without re-parsing every header through the modern
    header registry (most of the sender's time at a thousand digests a run)."""

    def _message(self) -> MIMEBase:
        message = super()._message()
        message.policy = SMTP_CLASSIC
        # Named, the encoded subject starts on the Subject: line instead of the next one.
        del message["Subject"]
        subject = self.subject or ""
        if subject.isascii():
            message["Subject"] = subject
        else:
            # The compat32 policy takes a Header; typeshed types MIMEBase's values as str only.
            message["Subject"] = Header(subject, "utf-8", header_name="Subject")  # type: ignore[assignment]
        return message


SMTP_CLASSIC = email.policy.compat32.clone(linesep="\r\n")


@dataclass(frozen=True)
class OutgoingFile:
    """An attachment as a sending thread needs it (a plain value, as Outgoing)."""

    filename: str
    content_type: str
    data: bytes

    @classmethod
    def of(cls, attachment: OutboxAttachment) -> OutgoingFile:
        return cls(attachment.filename, attachment.content_type, attachment.data)


@dataclass(frozen=True)
class Outgoing:
    """What a sending thread needs of a row: no ORM object crosses the thread boundary."""

    id: int
    to_address: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    attempts: int
    created_at: datetime
    attachments: tuple[OutgoingFile, ...] = ()

    @classmethod
    def of(cls, row: OutboxMessage) -> Outgoing:
        """The row's values; its attachments are loaded by `claim` with the batch (read
        here otherwise, one query for the row)."""
        return cls(
            row.id,
            row.to_address,
            row.subject,
            row.body_text,
            row.body_html,
            row.message_id,
            row.attempts,
            row.created_at,
            tuple(OutgoingFile.of(attachment) for attachment in row.attachments),
        )

    def mail(self, sender: str) -> Message:
        message = OutboxMail(
            subject=self.subject,
            recipients=[self.to_address],
            body=self.body_text,
            html=self.body_html,
            sender=sender,
        )
        message.msgId = self.message_id
        for attachment in self.attachments:
            message.attach(attachment.filename, attachment.content_type, attachment.data)
        return message


# Errors that say nothing by themselves, explained for the admin reading the outbox.
_EXPLANATIONS = {
    "BadHeaderError": "a line break in the address, the sender or the subject",
}


def describe(error: BaseException) -> str:
    name = type(error).__name__
    detail = str(error).strip() or _EXPLANATIONS.get(name, "")
    return f"{name}: {detail}" if detail else name


def _answered(codes: Sequence[int]) -> Outcome:
    """What the server's answers for one message say: 421 closes the connection (not the
    message's fault), 5xx is permanent, anything else is worth another try later."""
    if 421 in codes:
        return Outcome.CONNECTION
    return Outcome.PERMANENT if codes and all(c >= 500 for c in codes) else Outcome.TEMPORARY


def classify(error: BaseException) -> Outcome:
    """What an error raised while sending one message says about that message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _answered([code for code, _ in error.recipients.values()])
    if isinstance(error, smtplib.SMTPResponseException):
        return _answered([error.smtp_code])
    if isinstance(error, OSError | smtplib.SMTPException):
        return Outcome.CONNECTION  # no answer at all: a timeout, a dropped connection
    # Anything else (a bad header, an address no encoding can carry) is this message's own.
    return Outcome.PERMANENT


def record_outcome(
    item: Outgoing,
    outcome: Outcome,
    error: str | None,
    claimer: str,
    now: datetime,
    retry_window: timedelta,
) -> OutboxStatus:
    """Write one message's outcome, if this sender still holds its claim; the new status."""
    values: dict[str, object] = {"claimed_by": None, "claimed_at": None}
    if outcome is Outcome.SENT:
        status = OutboxStatus.SENT
        values |= {"sent_at": now, "attempts": item.attempts + 1, "last_error": None}
    elif outcome is Outcome.TEMPORARY and now - item.created_at < retry_window:
        status = OutboxStatus.PENDING
        values |= {
            "attempts": item.attempts + 1,
            "next_attempt_at": now + backoff(item.attempts + 1),
            "last_error": (error or "")[:ERROR_TEXT_LIMIT],
        }
    else:
        status = OutboxStatus.FAILED
        values |= {"attempts": item.attempts + 1, "last_error": (error or "")[:ERROR_TEXT_LIMIT]}
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == claimer)
        .values(status=status, **values)
    )
    return status


class RunClock:
    """The run's `now` moving on in real time: a test can start the run at any moment."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._started)


class Heartbeat:
    """Renews this sender's lease while it works, in a thread of its own, so a message
    that takes long to send does not let another sender take the rest of the batch."""

    def __init__(self, app: Flask, claimer: str, clock: RunClock, lease: timedelta) -> None:
        self.app, self.claimer, self.clock = app, claimer, clock
        self.interval = max(lease.total_seconds() / 4, 0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with self.app.app_context():
            try:
                while not self._stop.wait(self.interval):
                    renew_lease(self.claimer, self.clock.now())
                    db.session.commit()
            finally:
                db.session.remove()


class ShareSender:
    """Sends one share of a batch over one SMTP connection, recording each outcome."""

    def __init__(
        self,
        app: Flask,
        settings: DeliverySettings,
        claimer: str,
        clock: RunClock,
        stop: threading.Event,
    ) -> None:
        self.app, self.settings, self.claimer = app, settings, claimer
        self.clock, self.stop = clock, stop

    def __call__(self, share: Sequence[Outgoing]) -> DeliveryReport:
        report = DeliveryReport()
        with self.app.app_context():
            try:
                self._send(share, report)
            finally:
                db.session.remove()
        return report

    def _send(self, share: Sequence[Outgoing], report: DeliveryReport) -> None:
        try:
            connection = TimedConnection(self.app.extensions["mail"])
            connection.__enter__()
        except (OSError, smtplib.SMTPException) as failure:
            report.connection_error = describe(failure)
            return
        try:
            for item in share:
                if self.stop.is_set():
                    report.interrupted = True
                    return
                outcome, error = self._send_one(connection, item)
                if outcome is Outcome.CONNECTION:
                    report.connection_error = error
                    return
                self._record(item, outcome, error, report)
                if outcome is not Outcome.SENT:
                    _reset(connection)
        finally:
            _close(connection)

    def _send_one(self, connection: Connection, item: Outgoing) -> tuple[Outcome, str | None]:
        try:
            connection.send(item.mail(self.settings.sender))
        except Exception as error:
            return classify(error), describe(error)
        return Outcome.SENT, None

    def _record(
        self, item: Outgoing, outcome: Outcome, error: str | None, report: DeliveryReport
    ) -> None:
        status = record_outcome(
            item, outcome, error, self.claimer, self.clock.now(), self.settings.retry_window
        )
        db.session.commit()
        if status is OutboxStatus.SENT:
            report.sent += 1
        elif status is OutboxStatus.PENDING:
            report.retrying += 1
        else:
            report.failed += 1
            report.failures.append((item.to_address, error or ""))


def _reset(connection: Connection) -> None:
    """After a refused or broken message, start the next one from a clean SMTP state."""
    host = getattr(connection, "host", None)
    if host is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            host.rset()


def _close(connection: Connection) -> None:
    host = getattr(connection, "host", None)
    if host is None:
        return
    try:
        host.quit()
    except (OSError, smtplib.SMTPException):
        host.close()


def send_batch(
    rows: Sequence[OutboxMessage],
    claimer: str,
    clock: RunClock,
    stop: threading.Event,
    settings: DeliverySettings,
) -> DeliveryReport:
    """Send the claimed rows over up to `settings.connections` SMTP connections in
    parallel, each recording its outcomes as the server answers, then release what none
    of them tried (a stop, an outage)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    outgoing = [Outgoing.of(row) for row in rows]
    db.session.commit()  # the claim is ours; the threads write through their own sessions
    connections = min(settings.connections, len(outgoing))
    shares = [outgoing[index::connections] for index in range(connections)]
    report = DeliveryReport()
    sender = ShareSender(app, settings, claimer, clock, stop)
    with Heartbeat(app, claimer, clock, settings.lease), ThreadPoolExecutor(connections) as pool:
        for share_report in pool.map(sender, shares):
            report.add(share_report)
    report.interrupted = report.interrupted or stop.is_set()
    release_claims(
        claimer,
        clock.now(),
        error=report.connection_error,
        retry_window=settings.retry_window,
    )
    db.session.commit()
    return report


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def retry(row: OutboxMessage, actor: User, now: datetime | None = None) -> None:
    """An admin sends a failed (or waiting) row again at the next delivery."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied
    if row.status in (OutboxStatus.SENT, OutboxStatus.SENDING):
        return
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now or utcnow()
    row.claimed_by = None


def failed_count() -> int:
    """Emails that will not go out unless an admin sends them again (bad addresses, 5xx)."""
    query = select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)
    return db.session.scalar(query) or 0


def outbox_page(
    status: str | None, page: int, per_page: int = 50
) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], (page + 1 if len(rows) > per_page else 0)


def outbox_last_page(status: str | None, per_page: int = 50) -> int:
    """The number of the last page of `outbox_page` (1 when there is nothing)."""
    query = select(func.count()).select_from(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    total = int(db.session.scalar(query) or 0)
    return max((total + per_page - 1) // per_page, 1)
