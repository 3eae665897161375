"""A manager's second calendar feed (#14 item 6): the deadlines of their department tree.

The personal feed (tracker/feeds/services.py) lists the tasks a user owns; this one lists
the unfinished tasks the user's dashboard covers (their department and the ones below,
an absent manager's departments for the substitute, never drafts), each with its owners.
It has a token of its own, so that it can be shared with an assistant or revoked without
touching the personal link, and it opens only while its user is active and still manages
departments: a manager moved to another role loses it, whoever holds the URL.

It is bounded, so that a large department does not produce a huge file: the deadlines of
the next TEAM_AHEAD_DAYS days and those missed in the last TEAM_PAST_DAYS days (still
unfinished), at most TEAM_MAX_EVENTS events (the past ones at most TEAM_MAX_PAST of them,
the most recent first; then the coming ones, the soonest first). Older backlog belongs to
the dashboard. Every query is set-based: the tasks in two, their owners' names in one per
CHUNK_SIZE tasks. Services never commit.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import raiseload

from tracker.batches import chunks
from tracker.dashboard.services import Filters, departments_in_scope, scope_clauses
from tracker.extensions import db
from tracker.feeds.services import Labels, description_lines, new_calendar, task_event
from tracker.feeds.services import task_summary as personal_summary
from tracker.models import UNFINISHED_STATUSES, Role, Task, User, task_owners

TEAM_AHEAD_DAYS = 365  # the coming twelve months
TEAM_PAST_DAYS = 90  # unfinished tasks whose deadline passed at most this long ago
TEAM_MAX_EVENTS = 2000
TEAM_MAX_PAST = 500


def manages_departments(user: User) -> bool:
    """Whether the user may have the team feed: a manager whose dashboard covers at least
    one department (their own, or an absent manager's as the substitute), as
    tracker.dashboard.services decides. Staff and admins see every department: the whole
    organisation's deadlines are the dashboard's, not a calendar's."""
    return (
        user.active
        and user.role is Role.MANAGER
        and bool(departments_in_scope(user, Filters(status="all")))
    )


def renew_team_calendar_token(user: User) -> bool:
    """A new team feed link; True when it replaces one (whose subscribers must subscribe
    again). The caller checks `manages_departments` first."""
    replaced = user.team_calendar_token is not None
    user.team_calendar_token = secrets.token_urlsafe(32)
    return replaced


def revoke_team_calendar_token(user: User) -> None:
    user.team_calendar_token = None


def manager_for_team_token(token: str) -> User | None:
    """The user whose team feed this token opens, while they are active and still manage
    departments; None otherwise (a revoked or renewed token, a demoted manager)."""
    if not token:
        return None
    query = select(User).where(User.team_calendar_token == token, User.active.is_(True))
    user = db.session.scalar(query)
    if user is None or not manages_departments(user):
        return None
    return user


def team_calendar_url(user: User, *, base_url: str) -> str | None:
    """The team feed's full URL for a calendar app, or None without a token."""
    if user.team_calendar_token is None:
        return None
    return f"{base_url.rstrip('/')}/calendar/team/{user.team_calendar_token}.ics"


def team_calendar_for(user: User, *, base_url: str, timezone: str, today: date) -> bytes:
    """The team feed: one all-day event per task of the window, its owners in the title
    and the description, in the manager's language (whoever fetches it)."""
    base_url = base_url.rstrip("/")
    host = urlsplit(base_url).hostname or "localhost"
    tasks = team_tasks(user, today)
    owners = owner_names([task.id for task in tasks])
    with force_locale(user.language):
        calendar = new_calendar(name=_("Follow-up Tracker: my departments"), timezone=timezone)
        calendar.add(
            "x-wr-caldesc",
            _(
                "Unfinished tasks of your departments due in the next 12 months, "
                "and those overdue by up to 90 days."
            ),
        )
        labels = Labels()
        owners_label = _("Owners")
        for task in tasks:
            url = f"{base_url}/tasks/{task.id}"
            names = owners.get(task.id, [])
            lines = description_lines(task, url, labels)
            if names:
                lines.insert(0, f"{owners_label}: {', '.join(names)}")
            event = task_event(
                task,
                # Not the personal feed's UID: a manager may subscribe to both.
                uid=f"team-task-{task.id}@{host}",
                url=url,
                summary=team_summary(personal_summary(task, labels), names),
                description="\n".join(lines),
            )
            calendar.add_component(event)
    return calendar.to_ical()


def team_summary(summary: str, owner_names: Sequence[str]) -> str:
    """The event's title: the task's, then who owns it ("Concept (Ani, Karen)")."""
    if not owner_names:
        return summary
    return f"{summary} ({', '.join(owner_names)})"


def team_tasks(user: User, today: date) -> list[Task]:
    """The window's tasks: the past ones (the most recent first), then the coming ones
    (the soonest first); in deadline order."""
    past = db.session.scalars(
        _team_query(user, today, today - timedelta(days=TEAM_PAST_DAYS), today - timedelta(days=1))
        .order_by(Task.deadline.desc(), Task.id.desc())
        .limit(TEAM_MAX_PAST)
    ).all()
    coming = db.session.scalars(
        _team_query(user, today, today, today + timedelta(days=TEAM_AHEAD_DAYS))
        .order_by(Task.deadline, Task.id)
        .limit(TEAM_MAX_EVENTS - len(past))
    ).all()
    return [*reversed(past), *coming]


def _team_query(user: User, today: date, first: date, last: date) -> Select[Task]:
    window = Filters(status="all", deadline_from=first, deadline_to=last)
    clauses: list[ColumnElement[bool]] = scope_clauses(user, window, today)
    return (
        select(Task)
        .where(*clauses, Task.status.in_(UNFINISHED_STATUSES))
        # Only the tasks' own columns: owners come in one query for all of them.
        .options(raiseload("*"))
    )


def owner_names(task_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each task's owners' names, alphabetical: one query per CHUNK_SIZE tasks."""
    names: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(task_ids):
        rows = db.session.execute(
            select(task_owners.c.task_id, User.name)
            .join(User, User.id == task_owners.c.user_id)
            .where(task_owners.c.task_id.in_(chunk))
            .order_by(task_owners.c.task_id, User.name)
        )
        for task_id, name in rows:
            names[task_id].append(name)
    return dict(names)
