"""Single emails caused by a user's action (not by the daily planner), written to the outbox
in the same transaction as the action: the receivers of the tasks' events, connected when
the application is built (see blueprint.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Department, OutboxMessage, Role, Task, User
from tracker.notifications.policy import DepartmentFacts, Organisation, escalation_recipients
from tracker.tasks.events import ExtensionRequested


def _organisation_above(users: Iterable[User]) -> Organisation:
    """The part of the organisation the first escalation about these users can reach: their
    departments and every department above (one recursive query, which ends even on a
    cyclic tree), and the active admins, who receive it at the top."""
    user_departments = {user.id: user.department_id for user in users}
    start = {i for i in user_departments.values() if i is not None}
    departments: dict[int, DepartmentFacts] = {}
    if start:
        columns = (Department.id, Department.parent_id, Department.head_id)
        chain = select(*columns).where(Department.id.in_(start)).cte(recursive=True)
        chain = chain.union(select(*columns).where(Department.id == chain.c.parent_id))
        departments = {
            row.id: DepartmentFacts(row.id, row.parent_id, row.head_id)
            for row in db.session.execute(select(chain))
        }
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    ).all()
    return Organisation(departments, user_departments, tuple(admins))


def deciders(task: Task, actor: User) -> list[User]:
    """Who decides on the task's deadline: whoever its first escalation would reach (the
    heads of the owners' departments, or the admins at the top of the tree), by the
    policy's own rule; only those people are loaded."""
    owners = list(task.owners) or [actor]
    recipients = escalation_recipients(
        [owner.id for owner in owners], 1, _organisation_above(owners)
    )
    wanted = [user_id for user_id in recipients if user_id != actor.id]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(wanted), User.active.is_(True)).order_by(User.id)
        )
    )


def email_to(
    recipient: User,
    template: str,
    subject: Callable[[], str],
    context: Mapping[str, object],
    message_id: str,
) -> OutboxMessage:
    """One email to `recipient` in their language: `email/<template>.txt` and `.html` with
    `context`, and the subject `subject()` gives in that language."""
    with force_locale(recipient.language):
        return OutboxMessage(
            recipient_id=recipient.id,
            to_address=recipient.email,
            language=recipient.language,
            subject=subject(),
            body_text=render_template(f"email/{template}.txt", **context),
            body_html=render_template(f"email/{template}.html", **context),
            message_id=message_id,
        )


def queue_extension_request(request: ExtensionRequested) -> list[OutboxMessage]:
    """Mail the request for more time to whoever decides (receiver of `extension_requested`)."""
    task, actor = request.task, request.actor
    config = current_app.config
    base_url = config["TRACKER_BASE_URL"].rstrip("/")
    domain = urlsplit(base_url).hostname or "localhost"
    messages = []
    for head in deciders(task, actor):
        context = {
            "recipient": head,
            "actor": actor,
            "task": task,
            "requested": request.deadline,
            "reason": request.reason,
            "task_url": f"{base_url}/tasks/{task.id}",
            "base_url": base_url,
        }
        messages.append(
            email_to(
                head,
                "extension_request",
                lambda: _("%(name)s asks for more time", name=actor.name),
                context,
                f"<extension.{request.event.id}.{head.id}@{domain}>",
            )
        )
    db.session.add_all(messages)
    return messages
