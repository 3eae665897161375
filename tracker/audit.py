"""The audit log (#12 item 8): one append-only record of security and administration events.

Every feature writes to it the same way, in the transaction of what it records (a failed
change leaves no entry; the database refuses to change or remove an entry):

    audit.record(AuditKind.USER_CHANGED, actor=admin, subject=audit.about(user),
                 details={"role": ["officer", "manager"]}, address=client_address)

The kinds are an enum here, stored as plain text, so a new kind needs no migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tracker.extensions import db
from tracker.models import AuditEvent, Department, User, utcnow


class AuditKind(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_THROTTLED = "sign_in_throttled"
    SIGNED_OUT = "signed_out"
    SESSIONS_ENDED = "sessions_ended"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_ASKED = "password_reset_asked"
    PASSWORD_RESET = "password_reset"
    INVITATION_SENT = "invitation_sent"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    ABSENCE_SET = "absence_set"
    ABSENCE_REMOVED = "absence_removed"
    DEPARTMENT_CREATED = "department_created"
    DEPARTMENT_CHANGED = "department_changed"
    DEPARTMENT_REMOVED = "department_removed"
    POLICY_CHANGED = "policy_changed"
    EMAIL_RESENT = "email_resent"
    DATA_EXPORTED = "data_exported"


def about(thing: User | Department) -> str:
    """How an entry names what it is about: "user:12", "department:3"."""
    return f"{'user' if isinstance(thing, User) else 'department'}:{thing.id}"


def record(
    kind: AuditKind,
    *,
    actor: User | None,
    subject: str | None = None,
    details: Mapping[str, Any] | None = None,
    address: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Add an entry to the current transaction. `actor_label` names an actor who is not a
    user (a failed sign-in's typed email); by default the actor's email."""
    entry = AuditEvent(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=(actor.email if actor is not None else actor_label),
        kind=kind.value,
        subject=subject,
        details=dict(details or {}),
        address=address,
    )
    db.session.add(entry)
    return entry
