"""APScheduler set-up: the daily planning run, the every-minute delivery and event email.

`tracker scheduler` runs it in a process of its own (BlockingScheduler). Only the one-process
demo (`make run`, TRACKER_RUN_SCHEDULER=1) runs it inside the web server, in a background
thread; the web server never starts it otherwise.

The planning hour is the admin's policy (tracker/policy_settings.py), read every minute
until today's run has happened: a changed hour is followed without a restart. A restart after
the hour plans within the minute (the planner only adds what is still owed).

The same run plans what other features register as daily planners (the leadership digest,
tracker.reporting), each once per period and caught up by itself.

A planning run that fails (the database locked or down) is tried again the same day, after
1, 2, 4 … minutes (at most TRACKER_PLAN_RETRY_MAX_MINUTES); once it succeeds it sends what
was owed that morning. A day whose retries all failed is caught up by the next day's run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.background import minute_jobs
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.notifications.event_mail import mail_due_notices
from tracker.notifications.jobs import (
    deliver_outbox,
    plan_reminders_as_leader,
    run_daily_planners,
)
from tracker.policy_settings import current_policy
from tracker.workdays import is_working_day

log = logging.getLogger(__name__)

PLAN_JOB_ID = "plan-reminders"
CATCH_UP_JOB_ID = "plan-reminders-catch-up"
RETRY_JOB_ID = "plan-reminders-retry"
DELIVER_JOB_ID = "deliver-outbox"
EVENT_MAIL_JOB_ID = "mail-event-notices"


def _in_app_context(app: Flask, job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job()
            except Exception:
                # One failed run must not stop the scheduler: log it, the next run retries.
                log.exception("scheduled job %s failed", job.__name__)
            finally:
                db.session.remove()

    run.__name__ = job.__name__
    return run


def plan_today(today: Callable[[], date] = org_today) -> None:
    """The working day's reminders, then what the other features plan daily (the
    leadership digest), on working days only: a digest due on a holiday goes out with the
    next working day's run, which catches it up."""
    day = today()
    if is_working_day(day):
        plan_reminders_as_leader(day)
        run_daily_planners(day)


def deliver_due() -> None:
    deliver_outbox()


def mail_events() -> None:
    """The event emails whose window has closed, delivered at once."""
    if mail_due_notices():
        deliver_outbox()


def retry_delay(failures: int, most: timedelta) -> timedelta:
    """1, 2, 4 … minutes after the first, second, third … failure, at most `most`."""
    return min(timedelta(minutes=2 ** min(failures - 1, 16)), most)


class PlanningRun:
    """The daily planning job. `plan_if_due`, called every minute on weekdays, runs it once a
    day from the policy's hour on. A failed run is tried again the same day by `retry_if_due`,
    which the scheduler calls every minute: a job never adds jobs, so it cannot deadlock
    with a scheduler shutting down (which holds the job store's lock while it waits)."""

    def __init__(self, app: Flask, today: Callable[[], date] = org_today) -> None:
        self.app = app
        self.today = today
        self.timezone = ZoneInfo(app.config["TRACKER_TIMEZONE"])
        self.most = timedelta(minutes=app.config["TRACKER_PLAN_RETRY_MAX_MINUTES"])
        self.failures = 0
        self.retry_at: datetime | None = None
        self.planned_on: date | None = None  # the local day of the last successful run
        self.__name__ = "plan_today"

    def __call__(self) -> None:
        with self.app.app_context():
            try:
                plan_today(self.today)
            except Exception:
                log.exception("planning failed")
                self._retry_later(datetime.now(self.timezone))
            else:
                self.failures, self.retry_at = 0, None
                self.planned_on = datetime.now(self.timezone).date()
            finally:
                db.session.remove()

    def plan_if_due(self, now: datetime | None = None) -> None:
        """Plan once a day, from the policy's hour on (read now, so a change needs no
        restart); a failed run is left to `retry_if_due`."""
        now = now or datetime.now(self.timezone)
        if self.retry_at is not None or self.planned_on == now.date():
            return
        if now.hour < self._planning_hour():
            return
        self()
        if self.retry_at is None:
            self.planned_on = now.date()

    def _planning_hour(self) -> int:
        with self.app.app_context():
            try:
                return current_policy().reminder_hour
            except Exception:
                # The database is down: the minute after asks again; until then, no run.
                log.exception("the planning hour could not be read")
                return 24
            finally:
                db.session.remove()

    def retry_if_due(self, now: datetime | None = None) -> None:
        now = now or datetime.now(self.timezone)
        if self.retry_at is None:
            return
        if self.retry_at.date() != now.date():
            # Past midnight it would plan the next day early; that day's run catches up.
            log.error("planning failed %d times that day; today's run catches up", self.failures)
            self.failures, self.retry_at = 0, None
        elif now >= self.retry_at:
            self()

    def _retry_later(self, now: datetime) -> None:
        self.failures += 1
        self.retry_at = now + retry_delay(self.failures, self.most)
        log.warning("planning retried at %s (failure %d)", self.retry_at, self.failures)


def build_scheduler(app: Flask, *, blocking: bool, plan_at_start: bool = False) -> BaseScheduler:
    timezone = ZoneInfo(app.config["TRACKER_TIMEZONE"])
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone=timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
    )
    planning = PlanningRun(app)
    # Weekdays, every minute until the day's run happened from the policy's hour on;
    # holidays are skipped inside the job (the calendar knows them).
    scheduler.add_job(
        planning.plan_if_due,
        CronTrigger(day_of_week="mon-fri", minute="*", timezone=timezone),
        id=PLAN_JOB_ID,
        replace_existing=True,
    )
    scheduler.add_job(
        planning.retry_if_due,
        IntervalTrigger(minutes=1, timezone=timezone),
        id=RETRY_JOB_ID,
        replace_existing=True,
    )
    now = datetime.now(timezone)
    # Delivers at start too: what waits from before a restart goes out at once.
    scheduler.add_job(
        _in_app_context(app, deliver_due),
        IntervalTrigger(minutes=1, timezone=timezone),
        id=DELIVER_JOB_ID,
        next_run_time=now,
        replace_existing=True,
    )
    scheduler.add_job(
        _in_app_context(app, mail_events),
        IntervalTrigger(minutes=1, timezone=timezone),
        id=EVENT_MAIL_JOB_ID,
        replace_existing=True,
    )
    # What the features above register (reading the scans waiting for OCR, #15).
    for job in minute_jobs(app):
        scheduler.add_job(
            _in_app_context(app, job),
            IntervalTrigger(minutes=1, timezone=timezone),
            id=f"minute-{getattr(job, '__module__', '')}.{getattr(job, '__qualname__', job)}",
            replace_existing=True,
        )
    # The demo plans now, once, whatever the hour. The planner only adds what is still
    # owed, so this never sends twice.
    if plan_at_start:
        scheduler.add_job(planning, id=CATCH_UP_JOB_ID, next_run_time=now, replace_existing=True)
    return scheduler


def start_in_process(app: Flask) -> BaseScheduler:
    scheduler = build_scheduler(app, blocking=False, plan_at_start=True)
    scheduler.start()
    log.info("reminder scheduler started inside this process (TRACKER_RUN_SCHEDULER=1)")
    return scheduler
