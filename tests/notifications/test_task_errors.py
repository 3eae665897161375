"""One task whose notifications cannot be worked out must not stop everybody's reminders
(#9 item 1): the planner skips it, `tracker remind` reports it, the admins get one email a
day about it (also listed on /admin/outbox), and the other tasks' reminders go out."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import make_app
from tracker.clock import FixedClock, install_clock
from tracker.extensions import db
from tracker.models import Department, Notification, OutboxMessage, Role, Task, User
from tracker.notifications import planner
from tracker.notifications.policy import notifications_due
from tracker.tasks.services import create_task

DAY = date(2025, 3, 31)  # a Monday; the good task is three working days overdue by then
SHORT_YEAR = date(202, 11, 20)  # "0202-11-20": a deadline typed with a short year


@pytest.fixture
def office_app(migrated_database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    install_clock(app, clock)  # after every --as-of day of these tests
    with app.app_context():
        admin = User(
            email="admin@example.am",
            name="Admin",
            role=Role.ADMIN,
            password_hash="x",
            language="hy",
        )
        head = User(email="head@example.am", name="Head", role=Role.MANAGER, password_hash="x")
        department = Department(name="Digital", head=head)
        head.department = department
        officer = User(
            email="ani@example.am",
            name="Ani",
            role=Role.OFFICER,
            password_hash="x",
            department=department,
        )
        db.session.add_all([admin, head, department, officer])
        db.session.flush()
        create_task("Good", [officer], actor=None, deadline=date(2025, 3, 26))
        create_task("Short year", [officer], actor=None, deadline=SHORT_YEAR)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def task_id(title: str) -> int:
    found = db.session.scalar(select(Task.id).where(Task.title == title))
    assert found is not None
    return found


def remind_json(app: Flask, day: date = DAY, *extra: str) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(
        args=["remind", "--as-of", day.isoformat(), "--json", *extra]
    )
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def failing_for(title: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Make the policy raise for one task, as a bug or an unreadable deadline would. The
    failure follows the task's deadline (its own here): the planner evaluates once for all
    the tasks sharing a deadline, status and owners, with a stand-in task id."""
    broken = task_id(title)
    deadline = db.session.get_one(Task, broken).deadline

    def evaluate(task, *args, **kwargs):
        if task.deadline == deadline:
            raise RuntimeError("the calendar cannot count from here")
        return notifications_due(task, *args, **kwargs)

    monkeypatch.setattr(planner, "notifications_due", evaluate)
    return broken


def alerts() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.message_id.like("<plan-errors.%"))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_a_deadline_in_year_202_is_planned_like_any_other(office_app: Flask) -> None:
    # It raised RecursionError inside the daily plan, and nobody got a reminder.
    payload = remind_json(office_app)
    assert payload["task_errors"] == []
    notified = {(n["task_id"], n["kind"]) for n in payload["notifications"]}
    assert (task_id("Good"), "overdue") in notified
    assert (task_id("Short year"), "overdue") in notified
    assert (task_id("Short year"), "escalation") in notified


def test_a_failing_task_is_skipped_reported_and_told_to_the_admins_once_a_day(
    office_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = failing_for("Short year", monkeypatch)
    good = task_id("Good")

    with caplog.at_level(logging.ERROR, logger="tracker.notifications.planner"):
        payload = remind_json(office_app)

    assert payload["task_errors"] == [
        {"task_id": broken, "error": "RuntimeError: the calendar cannot count from here"}
    ]
    assert f"task {broken} skipped" in caplog.text
    # The other task's reminders went out; nothing was planned for the broken one.
    assert {n["task_id"] for n in payload["notifications"]} == {good}
    assert db.session.scalar(select(Notification.id).where(Notification.task_id == broken)) is None
    assert "ani@example.am" in {email["to"] for email in payload["emails"]}

    (alert,) = alerts()
    assert alert.to_address == "admin@example.am"
    assert alert.subject == "Հիշեցումները բաց են թողնվել 1 առաջադրանքի համար"
    assert f"/tasks/{broken}" in alert.body_text
    assert "Short year" in alert.body_text
    assert "RuntimeError: the calendar cannot count from here" in alert.body_text
    assert f"/tasks/{broken}" in alert.body_html
    assert {"to": "admin@example.am", "subject": alert.subject} in payload["emails"]

    # A rerun the same day (a retry, a second scheduler) tells the admins nothing new...
    rerun = remind_json(office_app)
    assert rerun["task_errors"] == payload["task_errors"]
    assert rerun["emails"] == []
    assert len(alerts()) == 1
    # ...the next working day does, while the task stays broken.
    remind_json(office_app, date(2025, 4, 1))
    assert len(alerts()) == 2


def test_a_dry_run_reports_the_failing_task_and_writes_nothing(
    office_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = failing_for("Short year", monkeypatch)
    payload = remind_json(office_app, DAY, "--dry-run")
    assert [error["task_id"] for error in payload["task_errors"]] == [broken]
    assert alerts() == []
    assert db.session.scalar(select(Notification.id)) is None


def test_the_text_output_names_the_skipped_task(
    office_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = failing_for("Short year", monkeypatch)
    result = office_app.test_cli_runner().invoke(args=["remind", "--as-of", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 task(s) skipped" in result.stderr
    assert f"  task {broken}: RuntimeError: the calendar cannot count from here" in result.stderr
    assert "admin@example.am: Հիշեցումները բաց են թողնվել" in result.stdout
    assert "ani@example.am" in result.stdout


def test_admins_see_the_alert_on_the_outbox_page(
    app: Flask,
    client,
    clock,
    make_user,
    make_department,
    make_task,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = make_user(Role.ADMIN, email="root@example.am", language="en")
    officer = make_user(Role.OFFICER, department=make_department("Digital"))
    make_task(officer, title="Broken", deadline=date(2025, 3, 26))
    broken = failing_for("Broken", monkeypatch)
    result = app.test_cli_runner().invoke(args=["remind", "--as-of", DAY.isoformat()])
    assert result.exit_code == 0, result.output

    client.login(admin.email)
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reminders skipped for 1 task(s)" in listing
    (alert,) = alerts()
    page = client.get(f"/admin/outbox/{alert.id}").get_data(as_text=True)
    assert f"/tasks/{broken}" in page
