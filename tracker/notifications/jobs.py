"""The units of work the scheduler, `tracker remind` and the admin pages run. Each owns its
transactions: the planner commits once; the sender commits its claim, then each outcome."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from types import FrameType
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import select, text

from tracker.batches import chunks
from tracker.extensions import db
from tracker.models import OutboxMessage, utcnow
from tracker.notifications import outbox
from tracker.notifications.planner import PlanResult, plan, policy_settings

log = logging.getLogger(__name__)

# Any fixed number: the key of the PostgreSQL advisory lock held by the planning scheduler.
PLANNER_LOCK_KEY = 815_2018

# Set when the process is asked to stop (SIGTERM, SIGINT): the sender finishes the message
# in flight, gives its other claims back and returns.
STOP = threading.Event()


@contextlib.contextmanager
def stop_on_signals(*, then_exit: bool = False) -> Iterator[threading.Event]:
    """Turn SIGTERM and SIGINT into a stop request for the sender while the block runs.

    `then_exit` also raises SystemExit in the main thread, to end a blocking scheduler's
    wait; the jobs it runs see the stop request and finish their message first.
    """
    STOP.clear()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.warning("signal %d: stopping after the message in flight", signum)
        STOP.set()
        if then_exit:
            raise SystemExit(0)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield STOP
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def plan_reminders(as_of: date, *, dry_run: bool = False) -> PlanResult:
    """Plan what is owed as of `as_of` into the outbox; a dry run writes nothing."""
    config = current_app.config
    try:
        _limit_lock_waits(config["TRACKER_PLAN_LOCK_TIMEOUT_SECONDS"])
        result = plan(
            as_of,
            policy_settings(),
            base_url=config["TRACKER_BASE_URL"],
            secret_key=config["SECRET_KEY"],
            sender_domain=urlsplit(config["TRACKER_BASE_URL"]).hostname or "localhost",
        )
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        message_ids = [message.id for message in result.messages]
        db.session.commit()
        _reload(message_ids)
    return result


def _reload(message_ids: list[int]) -> None:
    """Read the run's emails back in a few queries: the commit expired them, and the caller
    lists them (read one by one, each would cost a query)."""
    for chunk in chunks(message_ids):
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(chunk))).all()


def _limit_lock_waits(seconds: int) -> None:
    """A planner blocked by a lock fails after a while (and is retried) rather than hang;
    SQLite's busy timeout does the same there."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL lock_timeout = '{int(seconds)}s'"))


def plan_reminders_as_leader(as_of: date) -> PlanResult | None:
    """Plan, unless another scheduler holds the planner lock (PostgreSQL); None if so.

    The unique notification key already prevents double sending; the lock spares the
    duplicate work and keeps the log honest about who planned.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        locked = db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PLANNER_LOCK_KEY}
        )
        if not locked:
            db.session.rollback()
            log.info("another scheduler is planning; skipped")
            return None
    return plan_reminders(as_of)


# --- Daily planners of the features above this one -----------------------------------------

# Planned by the same daily run as the reminders, after them: a feature that mails
# something once a period (the leadership digest, tracker.reporting) registers its planner at
# init_app, as the task list's narrowings are registered. Each takes the organisation's day,
# owns its transactions, and is idempotent: it plans only what is still owed that day.
DailyPlanner = Callable[[date], object]
_DAILY_PLANNERS = "tracker_daily_planners"


def add_daily_planner(app: Flask, planner: DailyPlanner) -> None:
    app.extensions.setdefault(_DAILY_PLANNERS, []).append(planner)


def run_daily_planners(day: date) -> None:
    """Every registered planner, in order. One that fails is logged and left to the next
    day's run (each catches up by itself), so it neither stops the others nor makes the
    reminders' run be retried."""
    planners: list[DailyPlanner] = current_app.extensions.get(_DAILY_PLANNERS, [])
    for planner in planners:
        try:
            planner(day)
        except Exception:
            db.session.rollback()
            log.exception("daily planner %s failed", getattr(planner, "__name__", planner))


def deliver_outbox(
    now: datetime | None = None,
    *,
    include_waiting: bool = False,
    stop: threading.Event | None = None,
) -> outbox.DeliveryReport:
    """Send what is due in the outbox, batch by batch; nothing without a mail server.

    Stops at the first sign that the server is unreachable (the rest waits), and when
    `stop` (by default the process's stop request) is set.
    """
    report = outbox.DeliveryReport()
    if not outbox.mail_configured():
        return report
    stop = stop or STOP
    settings = outbox.DeliverySettings.from_config(current_app.config)
    clock = outbox.RunClock(now or utcnow())
    batch_size = current_app.config["TRACKER_MAIL_BATCH_SIZE"]
    outbox.release_stale_claims(clock.now(), settings.lease)
    db.session.commit()
    claimer = outbox.new_claimer()
    after_id = 0
    while not stop.is_set():
        rows = outbox.claim(
            clock.now(),
            batch_size,
            claimer=claimer,
            include_waiting=include_waiting,
            after_id=after_id,
        )
        if not rows:
            db.session.commit()
            break
        after_id = rows[-1].id
        batch = outbox.send_batch(rows, claimer, clock, stop, settings)
        report.add(batch)
        if batch.connection_error:
            log.warning("mail server unavailable, mail waits: %s", batch.connection_error)
            break
    report.interrupted = report.interrupted or stop.is_set()
    return report
