"""The units of work the scheduler, `tracker remind` and the admin pages run. Each owns its
transactions: the planner commits once; the sender commits its claim, then each batch."""

from __future__ import annotations

import logging
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from tracker.extensions import db
from tracker.models import utcnow
from tracker.notifications import outbox
from tracker.notifications.planner import PlanResult, plan, policy_settings

log = logging.getLogger(__name__)

# Any fixed number: the key of the PostgreSQL advisory lock held by the planning scheduler.
PLANNER_LOCK_KEY = 815_2018


def plan_reminders(as_of: date, *, dry_run: bool = False) -> PlanResult:
    """Plan what is owed as of `as_of` into the outbox; a dry run writes nothing."""
    config = current_app.config
    try:
        result = plan(
            as_of,
            policy_settings(config),
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
        db.session.commit()
    return result


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


def deliver_outbox(
    now: datetime | None = None, *, include_waiting: bool = False
) -> outbox.DeliveryReport:
    """Send what is due in the outbox, batch by batch; nothing without a mail server."""
    report = outbox.DeliveryReport()
    if not outbox.mail_configured():
        return report
    now = now or utcnow()
    batch_size = current_app.config["TRACKER_MAIL_BATCH_SIZE"]
    outbox.release_stale_claims(now)
    db.session.commit()
    tried: set[int] = set()
    while True:
        rows = outbox.claim(now, batch_size, include_waiting=include_waiting, tried=tried)
        db.session.commit()
        if not rows:
            return report
        tried.update(row.id for row in rows)
        batch = outbox.send_batch(rows, now)
        db.session.commit()
        report.add(batch)
        if batch.connection_error:
            log.warning("mail server unavailable, will retry: %s", batch.connection_error)
            return report
