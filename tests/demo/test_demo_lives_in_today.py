"""The demo's own tasks are dated from the day it is loaded: on any day every card, every
aging bucket and both overdue charts of the dashboard show something, and the reminder
planner owes reminders, overdue notices and both escalation levels."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import TrackerClient, copy_database, make_app
from tracker.auth.services import find_user_by_email
from tracker.dashboard.services import (
    Filters,
    figures,
    overdue_by_department,
    overdue_by_owner,
)
from tracker.demo.services import DEMO_USERS
from tracker.extensions import db
from tracker.models import Task

# A Monday in June and the first day of a month (a Thursday): "done this month" and the
# on-time share must not depend on where in the month the demo is loaded.
DAYS = (date(2026, 6, 15), date(2026, 10, 1))
VIEWERS = ("staff@demo.am", "manager@demo.am")


@pytest.fixture(params=DAYS, ids=str)
def demo_app(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Flask]:
    """The demo loaded by `tracker demo` with the application's clock on the day."""
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=copy_database(sqlite_template, tmp_path),
        TRACKER_TODAY=request.param.isoformat(),
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        yield app
        db.session.remove()
        db.engine.dispose()


def test_loading_the_demo_again_adds_nothing(demo_app: Flask) -> None:
    before = db.session.scalar(select(func.count(Task.id)))
    result = demo_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(select(func.count(Task.id))) == before


@pytest.mark.parametrize("email", VIEWERS)
def test_every_figure_of_the_dashboard_service_is_non_zero(demo_app: Flask, email: str) -> None:
    today = date.fromisoformat(demo_app.config["TRACKER_TODAY"])
    user = find_user_by_email(email)
    assert user is not None
    result = figures(user, Filters(), today, demo_app.config["TRACKER_TIMEZONE"])
    headline = result.headline
    assert headline.open and headline.overdue and headline.due_soon
    assert headline.done_this_month and headline.done_on_time
    assert 0 < (headline.implementation_rate or 0) < 1
    assert all(count > 0 for _, count in result.aging), result.aging
    assert len(overdue_by_department(user, Filters(), today)) >= 2
    assert len(overdue_by_owner(user, Filters(), today)) >= 2


@pytest.mark.parametrize("email", VIEWERS)
def test_every_card_and_chart_of_the_dashboard_page_shows_something(
    demo_app: Flask, email: str
) -> None:
    demo_app.test_client_class = TrackerClient
    client = demo_app.test_client()
    assert isinstance(client, TrackerClient)
    password = next(user.password for user in DEMO_USERS if user.email == email)
    client.submit("/login", {"email": email, "password": password})
    html = client.get("/dashboard").get_data(as_text=True)
    for name in ("open", "overdue", "awaiting-acceptance", "due-soon", "done-this-month"):
        number = re.search(rf'data-figure="{name}"><span class="number">(\d+)<', html)
        assert number and int(number.group(1)) > 0, name
    rate = re.search(r'data-figure="rate"><span class="number">(\d+)%<', html)
    assert rate and 0 < int(rate.group(1)) < 100
    charts = re.findall(r'<svg [^>]*class="chart">(.*?)</svg>', html, re.S)
    assert len(charts) == 3  # by department, by owner, by age
    department_chart, owner_chart, aging_chart = charts
    assert department_chart.count("<rect") >= 2 and owner_chart.count("<rect") >= 2
    bars = re.findall(r'<rect [^>]*width="(\d+)"', aging_chart)
    assert len(bars) == 4 and all(int(width) > 0 for width in bars)


def test_the_planner_owes_reminders_notices_and_both_escalations(demo_app: Flask) -> None:
    result = demo_app.test_cli_runner().invoke(args=["remind", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    planned = json.loads(result.output)
    kinds = {(item["kind"], item["level"]) for item in planned["notifications"]}
    assert {kind for kind, _ in kinds} >= {"reminder", "overdue", "escalation"}
    assert {("escalation", 1), ("escalation", 2)} <= kinds
    assert planned["emails"] and not planned["task_errors"]


def test_the_managers_have_something_to_decide(demo_app: Flask) -> None:
    """A request for more time in the menu's count and the requests list, a task awaiting
    acceptance on the dashboard's list."""
    demo_app.test_client_class = TrackerClient
    client = demo_app.test_client()
    assert isinstance(client, TrackerClient)
    password = next(user.password for user in DEMO_USERS if user.email == "staff@demo.am")
    client.submit("/login", {"email": "staff@demo.am", "password": password})
    requests_page = client.get("/tasks/requests").get_data(as_text=True)
    assert len(re.findall(r'action="/tasks/requests/\d+/approve"', requests_page)) == 1
    listing = client.get("/dashboard?status=awaiting_acceptance").get_data(as_text=True)
    assert 'data-status="awaiting_acceptance"' in listing
