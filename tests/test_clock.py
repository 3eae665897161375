"""The application's clock: "today" and "now" come from it, set for tests and rehearsals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import TODAY, make_app
from tracker.clock import FixedClock, SystemClock, current_clock
from tracker.i18n import org_today
from tracker.models import utcnow


def test_a_fixed_clock_keeps_its_day_while_its_time_runs() -> None:
    clock = FixedClock(date(2027, 1, 4))
    assert clock.today("Asia/Yerevan") == clock.today("America/Los_Angeles") == date(2027, 1, 4)
    first, second = clock.now(), clock.now()
    assert first.tzinfo is UTC and first.date() == date(2027, 1, 4)
    assert first <= second < first + timedelta(minutes=1)
    clock.set(date(2025, 12, 31))
    assert clock.today("Asia/Yerevan") == date(2025, 12, 31)
    assert clock.now().date() == date(2025, 12, 31)


def test_the_system_clock_is_the_wall_clock() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert before <= now <= datetime.now(UTC)


def test_the_app_takes_today_and_now_from_its_clock(app: Flask, clock: FixedClock) -> None:
    assert current_clock() is clock
    assert org_today() == TODAY
    assert utcnow().date() == TODAY
    clock.set(date(2031, 2, 3))
    assert org_today() == date(2031, 2, 3)


def test_tracker_today_sets_a_rehearsals_day(tmp_path: Path) -> None:
    app = make_app(tmp_path, TRACKER_TODAY="2027-06-15")
    with app.app_context():
        assert org_today() == date(2027, 6, 15)
    assert isinstance(make_app(tmp_path).extensions["tracker_clock"], SystemClock)
    with pytest.raises(RuntimeError, match=r"TRACKER_TODAY='15\.06\.2027' is not a date"):
        make_app(tmp_path, TRACKER_TODAY="15.06.2027")


def test_outside_an_application_the_wall_clock() -> None:
    assert isinstance(current_clock(), SystemClock)
