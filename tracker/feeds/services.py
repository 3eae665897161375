"""A user's private calendar feed: the token in its URL, and the iCalendar it serves.

The token is the only credential a calendar app can present, so it is long and random, and
issuing a new one is how a leaked URL is revoked. Services never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import raiseload

from tracker.extensions import db
from tracker.models import UNFINISHED_STATUSES, Task, TaskStatus, User
from tracker.tasks.permissions import owned_by

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODID = "-//Follow-up Tracker//Deadlines//EN"


def issue_calendar_token(user: User) -> str:
    """A new feed token for the user; the old one, if any, stops working."""
    token = secrets.token_urlsafe(32)
    user.calendar_token = token
    return token


def renew_calendar_token(user: User) -> bool:
    """A new feed link for the user; True when it replaces one (whose subscribers must
    subscribe again)."""
    replaced = user.calendar_token is not None
    issue_calendar_token(user)
    return replaced


def revoke_calendar_token(user: User) -> None:
    user.calendar_token = None


def user_for_token(token: str) -> User | None:
    """The active user whose feed this token opens, or None."""
    if not token:
        return None
    query = select(User).where(User.calendar_token == token, User.active.is_(True))
    return db.session.scalar(query)


def calendar_url(user: User, *, base_url: str) -> str | None:
    """The feed's full URL for a calendar app to subscribe to, or None without a token."""
    if user.calendar_token is None:
        return None
    return f"{base_url.rstrip('/')}/calendar/{user.calendar_token}.ics"


def calendar_for(user: User, *, base_url: str, timezone: str) -> bytes:
    """The user's unfinished tasks with a deadline, one all-day event each, in their
    language (whoever fetches the feed, it is the owner's calendar). A task awaiting
    acceptance stays (it is not finished until accepted, and may come back), its title
    marked with the status so it does not read as work still to do."""
    base_url = base_url.rstrip("/")
    host = urlsplit(base_url).hostname or "localhost"
    with force_locale(user.language):
        calendar = new_calendar(name=_("Follow-up Tracker"), timezone=timezone)
        labels = Labels()
        for task in _open_tasks_with_deadlines(user):
            calendar.add_component(_event(task, base_url=base_url, host=host, labels=labels))
    return calendar.to_ical()


def _open_tasks_with_deadlines(user: User) -> Sequence[Task]:
    query = (
        select(Task)
        .where(owned_by(user), Task.status.in_(UNFINISHED_STATUSES), Task.deadline.is_not(None))
        # The feed needs only the tasks' own columns; refusing every relationship load keeps
        # it one query however many tasks there are (owners are otherwise selectin-loaded).
        .options(raiseload("*"))
        .order_by(Task.deadline, Task.id)
    )
    return db.session.scalars(query).all()


def new_calendar(*, name: str, timezone: str) -> Calendar:
    # icalendar is imported by the feed only, not by every request and command.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    return calendar


class Labels:
    """The description's words, translated once per feed rather than once per task."""

    def __init__(self) -> None:
        self.expected_result = _("Expected result")
        self.deadline = _("Deadline")
        self.open_task = _("Open the task")
        self.status = _("Status")
        self.awaiting_acceptance = _("Awaiting acceptance")


def _event(task: Task, *, base_url: str, host: str, labels: Labels) -> Event:
    url = f"{base_url}/tasks/{task.id}"
    return task_event(
        task,
        # The same UID on every fetch, so calendar apps update the event instead of adding one.
        uid=f"task-{task.id}@{host}",
        url=url,
        summary=task_summary(task, labels),
        description=_description(task, url, labels),
    )


def task_event(task: Task, *, uid: str, url: str, summary: str, description: str) -> Event:
    """One all-day event on the task's deadline (the personal and the team feed)."""
    assert task.deadline is not None  # the feeds' queries keep only tasks with one
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", task.updated_at)
    event.add("dtstart", task.deadline)
    event.add("dtend", task.deadline + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    # A deadline is not a meeting: without this, Outlook shows the whole day as busy.
    event.add("transp", "TRANSPARENT")
    return event


def task_summary(task: Task, labels: Labels) -> str:
    if task.status is TaskStatus.AWAITING_ACCEPTANCE:
        return f"[{labels.awaiting_acceptance}] {task.title}"
    return task.title


def _description(task: Task, url: str, labels: Labels) -> str:
    return "\n".join(description_lines(task, url, labels))


def description_lines(task: Task, url: str, labels: Labels) -> list[str]:
    """The event's description: the status while it awaits acceptance, the expected
    result, the deadline as the report wrote it, and the link to the task."""
    lines = []
    if task.status is TaskStatus.AWAITING_ACCEPTANCE:
        lines.append(f"{labels.status}: {labels.awaiting_acceptance}")
    if task.expected_result:
        lines.append(f"{labels.expected_result}: {task.expected_result}")
    if task.deadline_text:
        # The phrase as the report wrote it ("by the end of the year"): the event has the date.
        lines.append(f"{labels.deadline}: {task.deadline_text}")
    lines.append(f"{labels.open_task}: {url}")
    return lines
