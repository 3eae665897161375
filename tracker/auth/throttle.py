"""Throttling of sign-ins and password-reset requests (#12 item 3), counted in the database.

Every try is a `SignInAttempt` row, so the count holds across gunicorn workers and machines
sharing the database. The policy, per account (the email as typed, normalized) and per
client address alike:

- the first `free` failures within the window cost nothing;
- after that, each further try waits 1, 2, 4 … minutes after the last failure, at most
  TRACKER_THROTTLE_MAX_DELAY_MINUTES;
- a try refused while waiting is not counted (its password is not even checked), so a
  stranger hammering the form does not push the delay further: the owner of the account
  waits at most the maximum delay after the stranger's last real try, then gets in with
  the right password;
- a successful sign-in clears the account's count; the address's count stays (one address
  guessing at many accounts is what it is there for).

A password-reset request has no "failure" (the answer reveals nothing): every request
counts, and nothing clears the count.

`hold`, `check` and `note` work in the caller's transaction; the caller commits the attempt
even when the request then answers with an error (the login view does it in its own unit
of work).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, select

from tracker.auth.services import normalize_email
from tracker.clock import current_clock
from tracker.extensions import db
from tracker.models import SignInAttempt

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    SIGN_IN = "sign_in"
    PASSWORD_RESET = "password_reset"


@dataclass(frozen=True)
class Delay:
    """How long a throttled client must wait, and whether its account or its address is why."""

    until: datetime
    seconds: int
    by: str  # "account" or "address"

    @property
    def minutes(self) -> int:
        """Whole minutes, rounded up, for the message ("Try again in 3 minutes")."""
        return max(1, -(-self.seconds // 60))


@dataclass(frozen=True)
class _Policy:
    free_per_account: int
    free_per_address: int
    window: timedelta
    max_delay: timedelta

    @classmethod
    def from_config(cls) -> _Policy:
        config = current_app.config
        return cls(
            free_per_account=int(config["TRACKER_THROTTLE_FREE_FAILURES"]),
            free_per_address=int(config["TRACKER_THROTTLE_ADDRESS_FREE_FAILURES"]),
            window=timedelta(minutes=int(config["TRACKER_THROTTLE_WINDOW_MINUTES"])),
            max_delay=timedelta(minutes=int(config["TRACKER_THROTTLE_MAX_DELAY_MINUTES"])),
        )

    def delay_after(self, failures: int, free: int) -> timedelta | None:
        """The wait after the last of `failures`: none up to `free`, then doubling minutes."""
        if failures < free:
            return None
        # Capped before raising 2 to it: a long attack must not build a huge number.
        doubling = min(failures - free, 20)
        return min(timedelta(minutes=2**doubling), self.max_delay)


def _counted(kind: Kind) -> ColumnElement[bool]:
    """The rows that count against a client: failed sign-ins, or every reset request."""
    if kind is Kind.PASSWORD_RESET:
        return SignInAttempt.kind == kind.value
    return (SignInAttempt.kind == kind.value) & SignInAttempt.succeeded.is_(False)


def _last_success(kind: Kind, account: str, since: datetime) -> datetime | None:
    if kind is Kind.PASSWORD_RESET:
        return None
    return db.session.scalar(
        select(func.max(SignInAttempt.created_at)).where(
            SignInAttempt.kind == kind.value,
            SignInAttempt.account == account,
            SignInAttempt.succeeded.is_(True),
            SignInAttempt.created_at >= since,
        )
    )


def _failures(kind: Kind, by: ColumnElement[bool], since: datetime) -> tuple[int, datetime | None]:
    """How many counted tries match `by` since `since`, and when the last was."""
    count, last = db.session.execute(
        select(func.count(), func.max(SignInAttempt.created_at)).where(
            _counted(kind), by, SignInAttempt.created_at > since
        )
    ).one()
    return int(count), last


def hold(kind: Kind, account: str) -> None:
    """Make the tries at one account take turns until the caller's transaction ends, so
    that many tries sent at once cannot all pass `check` before any is noted. On PostgreSQL
    a transaction-level advisory lock (cheap, no table touched); SQLite serves one process,
    whose requests are too few at once to matter."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{kind.value}:{normalize_email(account)}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    db.session.execute(select(func.pg_advisory_xact_lock(key)))


def check(kind: Kind, account: str, address: str, now: datetime | None = None) -> Delay | None:
    """The wait this try must still respect, or None when it may go ahead."""
    policy = _Policy.from_config()
    now = now or current_clock().now()
    window_start = now - policy.window
    account = normalize_email(account)
    # A success for the account wipes its slate: only the failures after it count.
    since_success = _last_success(kind, account, window_start)
    account_since = max(window_start, since_success) if since_success else window_start
    delays: list[Delay] = []
    for by, condition, since, free in (
        ("account", SignInAttempt.account == account, account_since, policy.free_per_account),
        ("address", SignInAttempt.address == address, window_start, policy.free_per_address),
    ):
        count, last = _failures(kind, condition, since)
        wait = policy.delay_after(count, free)
        if wait is None or last is None or last + wait <= now:
            continue
        until = last + wait
        delays.append(Delay(until=until, seconds=int((until - now).total_seconds()) + 1, by=by))
    return max(delays, key=lambda delay: delay.until, default=None)


def note(
    kind: Kind, account: str, address: str, *, succeeded: bool, now: datetime | None = None
) -> Delay | None:
    """Record a try whose answer was given; returns the wait it starts (None if none), so
    the caller can record the moment a client becomes throttled."""
    policy = _Policy.from_config()
    now = now or current_clock().now()
    account = normalize_email(account)
    _forget_old(kind, account, address, before=now - policy.window)
    db.session.add(
        SignInAttempt(
            kind=kind.value, account=account, address=address, succeeded=succeeded, created_at=now
        )
    )
    db.session.flush()
    if succeeded and kind is Kind.SIGN_IN:
        return None
    delay = check(kind, account, address, now)
    if delay is not None:
        logger.warning("%s throttled by %s: %s from %s", kind, delay.by, account, address)
    return delay


def _forget_old(kind: Kind, account: str, address: str, *, before: datetime) -> None:
    """Rows older than the window count for nothing: drop this account's and this address's
    (each DELETE follows one of the table's indexes, so it stays cheap however large the
    table; an account or address never seen again keeps its few rows, bounded by throttling)."""
    for condition in (SignInAttempt.account == account, SignInAttempt.address == address):
        db.session.execute(
            delete(SignInAttempt).where(
                SignInAttempt.kind == kind.value, condition, SignInAttempt.created_at < before
            )
        )
