"""One email written to the outbox, in its recipient's language.

Shared by every feature that mails someone (auth's invitations and resets among them), so
none imports the notifications package for it; the sender delivers the row like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from tracker.extensions import db
from tracker.models import OutboxMessage, User


def base_url() -> str:
    return str(current_app.config["TRACKER_BASE_URL"]).rstrip("/")


def message_domain() -> str:
    return urlsplit(base_url()).hostname or "localhost"


def render_email(
    recipient: User,
    template: str,
    subject: Callable[[], str],
    context: Mapping[str, object],
    message_id: str,
) -> OutboxMessage:
    """`email/<template>.txt` and `.html` with `context` and the subject `subject()` gives,
    all in the recipient's language (not added to the session)."""
    with force_locale(recipient.language):
        return OutboxMessage(
            recipient_id=recipient.id,
            to_address=recipient.email,
            language=recipient.language,
            subject=subject(),
            body_text=render_template(f"email/{template}.txt", recipient=recipient, **context),
            body_html=render_template(f"email/{template}.html", recipient=recipient, **context),
            message_id=message_id,
        )


def queue_email(
    recipient: User,
    template: str,
    subject: Callable[[], str],
    context: Mapping[str, object],
    message_id: str,
) -> OutboxMessage:
    """The email, added to the current transaction's outbox."""
    message = render_email(recipient, template, subject, context, message_id)
    db.session.add(message)
    return message
