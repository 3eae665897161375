"""Planning under faults: a locked database fails the run, the scheduler retries it the
same day, and the retry plans what was owed; a date in the future is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import make_app
from tracker.extensions import db
from tracker.models import Department, Notification, Role, User
from tracker.notifications.scheduling import (
    RETRY_JOB_ID,
    PlanningRun,
    build_scheduler,
    retry_delay,
)
from tracker.tasks.services import create_task

DAY = date(2025, 3, 31)  # a Monday; the task below is three working days overdue


@pytest.fixture
def office_app(migrated_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(
        tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url, TRACKER_PLAN_LOCK_TIMEOUT_SECONDS=1
    )
    with app.app_context():
        head = User(email="head@example.am", name="Head", role=Role.MANAGER, password_hash="x")
        department = Department(name="Digital", head=head)
        officer = User(
            email="ani@example.am",
            name="Ani",
            role=Role.OFFICER,
            password_hash="x",
            department=department,
        )
        head.department = department
        db.session.add_all([head, department, officer])
        db.session.flush()
        create_task("Concept", [officer], actor=None, deadline=date(2025, 3, 26))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


class Lock:
    """Another connection holding the database so the planner cannot write."""

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(url)
        self.release_callbacks: list[object] = []

    def __enter__(self) -> Lock:
        if self.url.get_backend_name() == "sqlite":
            self.sqlite = sqlite3.connect(self.url.database or "", isolation_level=None)
            self.sqlite.execute("BEGIN EXCLUSIVE")
        else:
            self.engine = sa.create_engine(self.url)
            self.connection = self.engine.connect()
            self.transaction = self.connection.begin()
            self.connection.execute(sa.text("LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.url.get_backend_name() == "sqlite":
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
        else:
            self.transaction.rollback()
            self.connection.close()
            self.engine.dispose()


def planned() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def test_a_locked_database_fails_the_run_and_the_retry_plans_what_was_owed(
    office_app: Flask, migrated_database_url: str
) -> None:
    run = PlanningRun(office_app, today=lambda: DAY)
    before = datetime.now(ZoneInfo("Asia/Yerevan"))
    with Lock(migrated_database_url):
        run()
    assert planned() == 0
    assert run.failures == 1 and run.retry_at is not None
    assert before + timedelta(seconds=50) < run.retry_at < before + timedelta(minutes=2)

    run.retry_if_due(run.retry_at - timedelta(seconds=1))
    assert planned() == 0, "not before its time"
    run.retry_if_due(run.retry_at)
    assert planned() == 2  # the overdue notice and the escalation to the head
    assert run.failures == 0 and run.retry_at is None


def test_a_retry_left_from_yesterday_is_dropped(office_app: Flask) -> None:
    run = PlanningRun(office_app, today=lambda: DAY)
    run.failures, run.retry_at = 3, datetime(2025, 3, 28, 23, 50, tzinfo=ZoneInfo("Asia/Yerevan"))
    run.retry_if_due(datetime(2025, 3, 31, 0, 5, tzinfo=ZoneInfo("Asia/Yerevan")))
    assert planned() == 0 and run.retry_at is None and run.failures == 0


def test_the_scheduler_retries_planning_every_minute(office_app: Flask) -> None:
    scheduler = build_scheduler(office_app, blocking=False)
    job = scheduler.get_job(RETRY_JOB_ID)
    assert job is not None and isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=1)


def test_retries_back_off_to_the_most_allowed() -> None:
    most = timedelta(minutes=30)
    delays = [retry_delay(failures, most) for failures in range(1, 9)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30, 30)]


def test_a_future_date_is_refused_with_one_line(runner) -> None:
    result = runner.invoke(args=["remind", "--as-of", "2030-03-05"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --as-of 2030-03-05 is after today")
    assert planned() == 0


def test_a_future_date_is_allowed_for_a_rehearsal_or_a_dry_run(
    runner, make_user, make_task
) -> None:
    officer = make_user(Role.OFFICER, email="ani@example.am")
    make_task(officer, deadline=date(2030, 3, 4))
    dry = runner.invoke(args=["remind", "--as-of", "2030-03-05", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 notification(s) would be planned" in dry.output
    assert planned() == 0
    rehearsal = runner.invoke(args=["remind", "--as-of", "2030-03-05", "--allow-future"])
    assert rehearsal.exit_code == 0, rehearsal.output
    assert planned() == 1
