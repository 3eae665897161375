"""Fixtures of the notification tests: a clock the event tests move forward by minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask

from tests.conftest import TODAY
from tracker.clock import FixedClock, install_clock
from tracker.extensions import db
from tracker.models import Notice, NoticeKind, Task, User


class MovingClock(FixedClock):
    """The `clock` fixture's clock (TODAY, running from noon UTC), that a test can also move
    forward: the digest window of the event emails is minutes long."""

    def __init__(self) -> None:
        self.offset = timedelta()
        super().__init__(TODAY)

    def now(self) -> datetime:
        return super().now() + self.offset

    def advance(self, **duration: float) -> None:
        self.offset += timedelta(**duration)


@pytest.fixture
def moving_clock(app: Flask) -> MovingClock:
    clock = MovingClock()
    install_clock(app, clock)
    return clock


def notice_kinds(user: User, task: Task | None = None) -> list[NoticeKind]:
    """The kinds of the notices a person has (about one task), oldest first."""
    query = db.select(Notice.kind).where(Notice.user_id == user.id).order_by(Notice.id)
    if task is not None:
        query = query.where(Notice.task_id == task.id)
    return list(db.session.scalars(query))
