"""One email per person per run: everything they are owed, in their language."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.models import OutboxMessage
from tracker.notifications.policy import Due, Kind
from tracker.tasks.action_links import Action, make_action_token


@dataclass(frozen=True)
class Recipient:
    id: int
    email: str
    name: str
    language: str


@dataclass(frozen=True)
class DigestItem:
    due: Due
    title: str
    deadline_text: str | None
    owner_names: tuple[str, ...]
    recipient_owns_task: bool


@dataclass(frozen=True)
class RenderedItem:
    item: DigestItem
    task_url: str
    done_url: str | None
    extend_url: str | None

    @property
    def due(self) -> Due:
        return self.item.due


def message_id(recipient: Recipient, items: Sequence[DigestItem], as_of: date, domain: str) -> str:
    """The same digest always gets the same Message-ID, so a resend is recognisable."""
    keys = sorted(
        f"{d.task_id}:{d.kind.value}:{d.level}:{d.deadline}" for d in (i.due for i in items)
    )
    digest = hashlib.sha256("|".join(keys).encode()).hexdigest()[:20]
    return f"<digest.{as_of:%Y%m%d}.{recipient.id}.{digest}@{domain}>"


def _rendered(
    item: DigestItem, recipient: Recipient, base_url: str, secret_key: str
) -> RenderedItem:
    task_url = f"{base_url}/tasks/{item.due.task_id}"
    if not item.recipient_owns_task or item.due.kind is Kind.ESCALATION:
        return RenderedItem(item, task_url, None, None)

    def link(action: Action) -> str:
        token = make_action_token(secret_key, item.due.task_id, recipient.id, action)
        return f"{base_url}/tasks/action/{token}"

    return RenderedItem(item, task_url, link(Action.DONE), link(Action.EXTEND))


def compose_digest(
    recipient: Recipient,
    items: Sequence[DigestItem],
    *,
    as_of: date,
    base_url: str,
    secret_key: str,
    sender_domain: str,
) -> OutboxMessage:
    base_url = base_url.rstrip("/")
    rendered = sorted(
        (_rendered(item, recipient, base_url, secret_key) for item in items),
        key=lambda r: (r.due.deadline, r.due.task_id),
    )
    overdue = [r for r in rendered if r.due.kind is Kind.OVERDUE]
    escalations = [r for r in rendered if r.due.kind is Kind.ESCALATION]
    due_soon = [r for r in rendered if r.due.kind in (Kind.REMINDER, Kind.DUE_TODAY)]
    context = {
        "recipient": recipient,
        "overdue": overdue,
        "escalations": escalations,
        "due_soon": due_soon,
        "as_of": as_of,
        "base_url": base_url,
    }
    with force_locale(recipient.language):
        subject = _(
            "Follow-up Tracker: %(overdue)d overdue, %(soon)d due soon",
            overdue=len(overdue) + len(escalations),
            soon=len(due_soon),
        )
        body_text = render_template("email/digest.txt", **context)
        body_html = render_template("email/digest.html", **context)
    return OutboxMessage(
        recipient_id=recipient.id,
        to_address=recipient.email,
        language=recipient.language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=message_id(recipient, items, as_of, sender_domain),
    )
