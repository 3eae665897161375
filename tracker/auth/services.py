"""Who may sign in, and where they may be sent afterwards."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.i18n import LANGUAGES
from tracker.models import User


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so both failures take the same time.
    Made on first use: hashing is slow on purpose, and most processes never sign anyone in."""
    return generate_password_hash("no such user")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class InvalidEmailAddress(ValueError):
    """An address no mail server would take; `reason` is the validator's (English) detail."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address!r}: {reason}")
        self.address = address
        self.reason = reason


def checked_email(address: str) -> str:
    """The address, normalized, if a mail server could deliver to it (international
    domains included); raises InvalidEmailAddress otherwise (a newline, two dots, …)."""
    # Imported on first use: every command and request would otherwise pay for it (and idna).
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmailAddress(address, str(error)) from None
    return normalize_email(valid.normalized)


def find_user_by_email(email: str) -> User | None:
    # Emails are stored normalized (see create_user), so an index lookup finds them.
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (whatever was wrong)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def safe_next_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (never another host)."""
    if not target:
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def update_preferences(
    user: User,
    *,
    language: str,
    wants_reminders: bool,
    wants_event_emails: bool | None = None,
) -> None:
    """A user's own choices; overdue notices and escalations cannot be switched off, nor
    the emails about assignments and decisions. `wants_event_emails` None: unchanged."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    user.language = language
    user.wants_reminders = wants_reminders
    if wants_event_emails is not None:
        user.wants_event_emails = wants_event_emails


def choose_language(user: User, language: str) -> None:
    """The language switch in the page header: the same preference the settings page sets."""
    update_preferences(user, language=language, wants_reminders=user.wants_reminders)


def end_all_sessions(
    user: User,
    *,
    actor: User | None = None,
    address: str | None = None,
    audited: bool = True,
) -> None:
    """End every session and remember-me token of `user` (logout, a password change or
    reset, deactivation): a session or token made before carries an older version, which
    the login manager refuses (tracker/auth/sessions.py). In the caller's transaction,
    recorded in the audit log as SESSIONS_ENDED by `actor` unless the caller records the
    occasion itself (`audited=False`: logout records SIGNED_OUT)."""
    from tracker import audit
    from tracker.models import RememberToken

    user.session_version = (user.session_version or 1) + 1
    db.session.execute(delete(RememberToken).where(RememberToken.user_id == user.id))
    if audited:
        audit.record(
            audit.AuditKind.SESSIONS_ENDED,
            actor=actor,
            subject=audit.about(user),
            address=address,
        )
