"""Single emails caused by a user's action (not by the daily planner), written to the outbox
in the same transaction as the action."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import OutboxMessage, Role, Task, TaskEvent, User


def _heads_of(task: Task, actor: User) -> list[User]:
    """Who decides on the task's deadline: the heads of the owners' departments (or of the
    department above, when the actor heads it), else the admins."""
    heads: dict[int, User] = {}
    for owner in task.owners:
        department = owner.department
        while department is not None and (department.head is None or department.head == actor):
            department = department.parent
        if department is not None and department.head is not None and department.head.active:
            heads[department.head.id] = department.head
    if not heads:
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active))
        heads = {admin.id: admin for admin in admins if admin != actor}
    return list(heads.values())


def queue_extension_request(
    task: Task, actor: User, deadline: date, reason: str, event: TaskEvent
) -> list[OutboxMessage]:
    config = current_app.config
    base_url = config["TRACKER_BASE_URL"].rstrip("/")
    domain = urlsplit(base_url).hostname or "localhost"
    messages = []
    for head in _heads_of(task, actor):
        context = {
            "recipient": head,
            "actor": actor,
            "task": task,
            "requested": deadline,
            "reason": reason,
            "task_url": f"{base_url}/tasks/{task.id}",
            "base_url": base_url,
        }
        with force_locale(head.language):
            subject = _("%(name)s asks for more time", name=actor.name)
            text = render_template("email/extension_request.txt", **context)
            html = render_template("email/extension_request.html", **context)
        messages.append(
            OutboxMessage(
                recipient_id=head.id,
                to_address=head.email,
                language=head.language,
                subject=subject,
                body_text=text,
                body_html=html,
                message_id=f"<extension.{event.id}.{head.id}@{domain}>",
            )
        )
    db.session.add_all(messages)
    return messages
