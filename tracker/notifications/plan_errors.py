"""Tasks the planner had to skip, and the email that tells the admins about them.

A task whose notifications cannot be worked out (a deadline the calendar cannot count from,
a bug in the policy) must not stop everybody else's reminders: the planner skips it, and
every admin gets one email a day listing the skipped tasks, through the outbox like any
other email (so it is also on /admin/outbox when no mail server is configured). The
Message-ID names the day, the admin and the tasks, so reruns of the same day write it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import OutboxMessage, Task, User
from tracker.outbox_mail import render_email


@dataclass(frozen=True)
class TaskPlanError:
    task_id: int
    error: str  # "ExceptionType: message"


def alert_message_id(admin: User, errors: Sequence[TaskPlanError], as_of: date, domain: str) -> str:
    tasks = ",".join(str(task_id) for task_id in sorted({e.task_id for e in errors}))
    digest = hashlib.sha256(tasks.encode()).hexdigest()[:20]
    return f"<plan-errors.{as_of:%Y%m%d}.{admin.id}.{digest}@{domain}>"


def admin_alerts(
    errors: Sequence[TaskPlanError],
    as_of: date,
    admins: Sequence[User],
    *,
    base_url: str,
    sender_domain: str,
) -> list[OutboxMessage]:
    """One email per active admin listing the skipped tasks; none already written today
    (two queries, only when some task was skipped)."""
    if not errors or not admins:
        return []
    base_url = base_url.rstrip("/")
    ids = {admin.id: alert_message_id(admin, errors, as_of, sender_domain) for admin in admins}
    written = set(
        db.session.scalars(
            select(OutboxMessage.message_id).where(OutboxMessage.message_id.in_(ids.values()))
        )
    )
    titles = {
        row.id: row.title
        for row in db.session.execute(
            select(Task.id, Task.title).where(Task.id.in_({e.task_id for e in errors}))
        )
    }
    rows = [
        (error, titles.get(error.task_id, ""), f"{base_url}/tasks/{error.task_id}")
        for error in errors
    ]
    messages = []
    for admin in admins:
        if not admin.active or ids[admin.id] in written:
            continue
        context = {"as_of": as_of, "rows": rows, "base_url": base_url}
        messages.append(
            render_email(
                admin,
                "plan_errors",
                lambda: _("Reminders skipped for %(count)d task(s)", count=len(errors)),
                context,
                ids[admin.id],
            )
        )
    return messages
