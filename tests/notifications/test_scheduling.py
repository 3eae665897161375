"""The scheduler's set-up: fixed job ids, one instance at a time, and where it runs."""

from __future__ import annotations

import time
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from tests.conftest import make_app
from tracker.notifications.scheduling import (
    CATCH_UP_JOB_ID,
    DELIVER_JOB_ID,
    PLAN_JOB_ID,
    build_scheduler,
)


def test_jobs_have_fixed_ids_one_instance_and_coalesce(app) -> None:
    scheduler = build_scheduler(app, blocking=False)
    assert isinstance(scheduler, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert {PLAN_JOB_ID, DELIVER_JOB_ID} <= set(jobs)
        for job in jobs.values():
            assert job.max_instances == 1 and job.coalesce is True
        plan = jobs[PLAN_JOB_ID].trigger
        assert isinstance(plan, CronTrigger)
        fields = {field.name: str(field) for field in plan.fields}
        # Every minute on weekdays: the job plans once a day from the policy's hour on, so a
        # changed hour is followed without a restart (test_policy_settings_store.py).
        assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon-fri", "*", "*")
        assert str(plan.timezone) == "Asia/Yerevan"
    finally:
        scheduler.shutdown(wait=False)


def test_the_web_app_starts_no_scheduler_unless_the_demo_asks(tmp_path: Path) -> None:
    plain = make_app(tmp_path)
    assert "tracker_scheduler" not in plain.extensions
    demo = make_app(tmp_path, TRACKER_RUN_SCHEDULER=True)
    scheduler = demo.extensions["tracker_scheduler"]
    try:
        assert scheduler.running
        assert scheduler.get_job(DELIVER_JOB_ID) is not None
        # The demo plans once at start; let that one-off job finish before shutting down.
        deadline = time.monotonic() + 10
        while scheduler.get_job(CATCH_UP_JOB_ID) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scheduler.get_job(CATCH_UP_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=True)
