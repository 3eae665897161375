"""Single emails caused by a user's action (not by the daily planner), written to the outbox
in the same transaction as the action."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.extensions import db
from tracker.models import OutboxMessage, Task, TaskEvent, User
from tracker.notifications.planner import load_organisation
from tracker.notifications.policy import escalation_recipients


def _deciders(task: Task, actor: User) -> list[User]:
    """Who decides on the task's deadline: whoever its first escalation would reach (the
    heads of the owners' departments, or the admins at the top of the tree)."""
    organisation, users = load_organisation()
    owner_ids = [owner.id for owner in task.owners] or [actor.id]
    recipients = escalation_recipients(owner_ids, 1, organisation)
    return [
        users[user_id]
        for user_id in recipients
        if user_id != actor.id and user_id in users and users[user_id].active
    ]


def queue_extension_request(
    task: Task, actor: User, deadline: date, reason: str, event: TaskEvent
) -> list[OutboxMessage]:
    config = current_app.config
    base_url = config["TRACKER_BASE_URL"].rstrip("/")
    domain = urlsplit(base_url).hostname or "localhost"
    messages = []
    for head in _deciders(task, actor):
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
