"""Signed, single-use, expiring links to set a password: the invitation of a new user and
the "forgot password" reset.

The token names its purpose, the user, the moment of the user's last password change and a
random nonce, signed with a timestamp (like tracker/action_links.py). Opening the link only
shows a form; setting the password spends the nonce (a row in `used_action_tokens`, whose
insert is the check, as for the email action links), so the link works once. Setting any
password also retires every older link: they carry an older password stamp.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import UsedActionToken, User, utcnow

SALT = "tracker.password-link"
# Kept apart from the task action links' nonces, which share the table.
NONCE_PREFIX = "password:"


class Purpose(StrEnum):
    INVITATION = "invite"
    RESET = "reset"


class PasswordLinkError(ValueError):
    """A link that cannot be used; the subclasses say why. `user_id` is known when the
    signature was genuine (to answer in that user's language)."""

    def __init__(self, token: str, user_id: int | None = None) -> None:
        super().__init__(token[:20])
        self.user_id = user_id


class LinkInvalid(PasswordLinkError):
    """Forged, damaged, for another purpose, or for an account that no longer exists or
    is deactivated."""


class LinkExpired(PasswordLinkError):
    """Genuine, but older than its purpose allows."""


class LinkAlreadyUsed(PasswordLinkError):
    """Used once already, or retired by a later password change."""


@dataclass(frozen=True)
class PasswordLink:
    purpose: Purpose
    user: User
    nonce: str


def password_stamp(user: User) -> str:
    """Changes whenever the user's password is set: retires the links made before."""
    changed = user.password_changed_at
    return str(int(changed.timestamp())) if changed is not None else "0"


class PasswordLinkSigner:
    def __init__(self, secret_key: str) -> None:
        self._signer = TimestampSigner(secret_key, salt=SALT)

    def make(self, purpose: Purpose, user: User) -> str:
        payload = f"{purpose.value}.{user.id}.{password_stamp(user)}.{secrets.token_hex(12)}"
        return self._signer.sign(payload).decode()

    def read(self, token: str, purpose: Purpose, max_age_seconds: int) -> PasswordLink:
        """The link's user, if the link may be used now; raises a PasswordLinkError."""
        try:
            payload = self._signer.unsign(token, max_age=max_age_seconds).decode()
        except SignatureExpired as expired:
            raise LinkExpired(token, _user_id(expired.payload, purpose)) from None
        except BadSignature:
            raise LinkInvalid(token) from None
        user_id = _user_id(payload.encode(), purpose)
        user = db.session.get(User, user_id) if user_id is not None else None
        if user is None or not user.active:
            raise LinkInvalid(token, user_id)
        _purpose, _id, stamp, nonce = payload.split(".")
        if stamp != password_stamp(user) or _is_spent(nonce):
            raise LinkAlreadyUsed(token, user.id)
        return PasswordLink(purpose, user, nonce)


def _user_id(payload: bytes | None, purpose: Purpose) -> int | None:
    parts = (payload or b"").decode(errors="replace").split(".")
    if len(parts) != 4 or parts[0] != purpose.value or not parts[1].isdigit():
        return None
    return int(parts[1])


def _is_spent(nonce: str) -> bool:
    return db.session.get(UsedActionToken, NONCE_PREFIX + nonce) is not None


def spend(link: PasswordLink, now: datetime | None = None) -> None:
    """Use the link up: the insert of its nonce is the check, so of two concurrent uses one
    inserts and the other inserts nothing and raises LinkAlreadyUsed."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(UsedActionToken)
        .values(nonce=NONCE_PREFIX + link.nonce, used_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["nonce"])
        .returning(UsedActionToken.nonce)
    )
    if db.session.execute(statement).scalar_one_or_none() is None:
        raise LinkAlreadyUsed(link.nonce, link.user.id)
