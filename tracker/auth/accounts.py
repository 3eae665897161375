"""A person's password over the account's life: the invitation to set one, "forgot
password", a change from the settings page. Services: values and model objects in, no
request, no commit; each records its audit entry in the caller's transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from tracker import audit
from tracker.audit import AuditKind
from tracker.auth import links, throttle
from tracker.auth.links import PasswordLink, PasswordLinkSigner, Purpose
from tracker.auth.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem, password_problem
from tracker.auth.services import end_all_sessions, find_user_by_email, hash_password
from tracker.models import User, utcnow
from tracker.outbox_mail import base_url, message_domain, queue_email

# A hash no password matches (werkzeug's check answers False for it): the state of an
# invited user until they follow the link.
UNUSABLE_PREFIX = "!"


class PasswordRefused(ValueError):
    """A new password that the rules refuse; the message is shown as is."""


class WrongCurrentPassword(ValueError):
    """The "current password" of a change did not match."""


def unusable_password_hash() -> str:
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def has_password(user: User) -> bool:
    return not user.password_hash.startswith(UNUSABLE_PREFIX)


def problem_message(problem: PasswordProblem) -> str:
    messages = {
        PasswordProblem.TOO_SHORT: _l(
            "The password needs at least %(count)d characters: a few words in a row are "
            "easier to remember than symbols.",
            count=MIN_LENGTH,
        ),
        PasswordProblem.TOO_LONG: _l(
            "The password can have at most %(count)d characters.", count=MAX_LENGTH
        ),
        PasswordProblem.COMMON: _l(
            "This password is among the most common ones and is guessed first: choose another."
        ),
        PasswordProblem.ONE_CHARACTER: _l(
            "A password of one character repeated is guessed first: choose another."
        ),
        PasswordProblem.CONTAINS_EMAIL: _l(
            "The password must not contain the name of your email address."
        ),
    }
    return str(messages[problem])


def check_new_password(password: str, email: str | None) -> None:
    """Raises PasswordRefused with the reason, in the current language."""
    problem = password_problem(password, email=email)
    if problem is not None:
        raise PasswordRefused(problem_message(problem))


def _signer() -> PasswordLinkSigner:
    return PasswordLinkSigner(current_app.config["SECRET_KEY"])


def invitation_max_age() -> int:
    return int(current_app.config.get("TRACKER_INVITATION_DAYS", 7)) * 86400


def reset_max_age() -> int:
    return int(current_app.config.get("TRACKER_RESET_HOURS", 2)) * 3600


def max_age(purpose: Purpose) -> int:
    return invitation_max_age() if purpose is Purpose.INVITATION else reset_max_age()


def _set_password(user: User, password: str, now: datetime | None) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now or utcnow()
    # The caller's PASSWORD_CHANGED / PASSWORD_RESET entry says why the sessions ended.
    end_all_sessions(user, audited=False)


def send_invitation(user: User, actor: User | None, *, address: str | None = None) -> None:
    """Queue the invitation email with a link to set a password (audit INVITATION_SENT)."""
    token = _signer().make(Purpose.INVITATION, user)
    days = int(current_app.config.get("TRACKER_INVITATION_DAYS", 7))
    queue_email(
        user,
        "invitation",
        lambda: _("Your account on the Follow-up Tracker"),
        {
            "link": f"{base_url()}/password/set/{token}",
            "days": days,
            "base_url": base_url(),
            "inviter": actor.name if actor is not None else None,
        },
        f"<invitation.{user.id}.{secrets.token_hex(8)}@{message_domain()}>",
    )
    audit.record(AuditKind.INVITATION_SENT, actor=actor, subject=audit.about(user), address=address)


def ask_password_reset(email: str, *, address: str) -> throttle.Delay | None:
    """ "Forgot password": a reset link to the active user with this email, nothing
    otherwise; the caller answers the same either way. Throttled per typed address and
    per client (tracker/auth/throttle.py): returns the wait when this request is refused,
    without looking the address up."""
    delay = throttle.check(throttle.Kind.PASSWORD_RESET, email, address)
    if delay is not None:
        return delay
    throttle.note(throttle.Kind.PASSWORD_RESET, email, address, succeeded=True)
    send_reset_link(email, address=address)
    return None


def send_reset_link(email: str, *, address: str | None = None) -> User | None:
    """The reset email to the active user with this email (returned), else nothing."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        audit.record(
            AuditKind.PASSWORD_RESET_ASKED,
            actor=None,
            actor_label=email.strip()[:254],
            address=address,
        )
        return None
    token = _signer().make(Purpose.RESET, user)
    queue_email(
        user,
        "password_reset",
        lambda: _("Set a new password for the Follow-up Tracker"),
        {
            "link": f"{base_url()}/password/reset/{token}",
            "hours": int(current_app.config.get("TRACKER_RESET_HOURS", 2)),
            "base_url": base_url(),
        },
        f"<reset.{user.id}.{secrets.token_hex(8)}@{message_domain()}>",
    )
    audit.record(
        AuditKind.PASSWORD_RESET_ASKED,
        actor=None,
        actor_label=user.email,
        subject=audit.about(user),
        address=address,
    )
    return user


def read_link(token: str, purpose: Purpose) -> PasswordLink:
    """The link's user if it can be used (GET shows the form; it spends nothing)."""
    return _signer().read(token, purpose, max_age(purpose))


def set_password_from_link(
    token: str,
    purpose: Purpose,
    password: str,
    *,
    address: str | None = None,
    now: datetime | None = None,
) -> User:
    """Spend the link and set the password; every session of the user ends."""
    link = read_link(token, purpose)
    check_new_password(password, link.user.email)
    links.spend(link, now)
    _set_password(link.user, password, now)
    kind = AuditKind.PASSWORD_RESET if purpose is Purpose.RESET else AuditKind.PASSWORD_CHANGED
    audit.record(
        kind,
        actor=link.user,
        subject=audit.about(link.user),
        address=address,
    )
    return link.user


def change_password(
    user: User,
    current: str,
    new: str,
    *,
    address: str | None = None,
    now: datetime | None = None,
) -> None:
    """The user's own change: the current password first; then every session ends (the
    caller signs this browser in again)."""
    if not check_password_hash(user.password_hash, current):
        raise WrongCurrentPassword
    check_new_password(new, user.email)
    _set_password(user, new, now)
    audit.record(
        AuditKind.PASSWORD_CHANGED,
        actor=user,
        subject=audit.about(user),
        address=address,
    )
