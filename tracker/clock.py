"""The application's clock: "now", and the organisation's calendar day.

Deadlines are days in the organisation's time zone, not the server's. Every "today" the
business logic takes (overdue, the dashboard's figures, reminder planning, the date of an
export) and the timestamps it records (`tracker.models.utcnow`) come from the clock of the
application, `app.extensions["tracker_clock"]`: the system clock, or, for tests and
rehearsals, a clock set to a chosen day (the TRACKER_TODAY setting, or the tests' `clock`
fixture). Timing that is not about the calendar (the scheduler's wake-ups, retry delays,
SMTP and lease timeouts, the expiry of signed links and sessions) stays on the wall clock.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

EXTENSION = "tracker_clock"


def local_today(timezone: str, now: datetime | None = None) -> date:
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...

    def today(self, timezone: str) -> date:
        """The current calendar day in `timezone`."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, timezone: str) -> date:
        return local_today(timezone, self.now())


class FixedClock:
    """A clock set to a day: `today` is that day (in every time zone) until it is set again.

    `now` starts at noon UTC of that day when the clock is set and runs at the real pace, so
    the timestamps recorded meanwhile fall on that day, still differ and keep their order (a
    frozen instant would give two runs of the planner the same identity). After about eight
    hours Yerevan's evening would pass midnight while `today` stays: longer than any test.
    """

    def __init__(self, day: date) -> None:
        self.set(day)

    def set(self, day: date) -> None:
        self.day = day
        self._start = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)

    def today(self, timezone: str) -> date:
        return self.day


SYSTEM_CLOCK = SystemClock()


def install_clock(app: Flask, clock: Clock | None = None) -> Clock:
    """Give `app` its clock: `clock`, else a FixedClock on TRACKER_TODAY when that is set
    (an ISO date, for rehearsals), else the system clock."""
    if clock is None:
        day = app.config.get("TRACKER_TODAY")
        if isinstance(day, str) and day.strip():
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                raise RuntimeError(f"TRACKER_TODAY={day!r} is not a date (YYYY-MM-DD)") from None
        clock = FixedClock(day) if isinstance(day, date) else SYSTEM_CLOCK
    app.extensions[EXTENSION] = clock
    return clock


def current_clock() -> Clock:
    """The current application's clock; the system clock outside an application."""
    if has_app_context():
        clock: Clock = current_app.extensions.get(EXTENSION, SYSTEM_CLOCK)
        return clock
    return SYSTEM_CLOCK
