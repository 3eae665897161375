"""Sessions that end (#12 item 2): signing in and out, remember-me tokens, the idle limit.

- A session carries the user's id and session version ("12:3", `User.get_id`); raising the
  version (`services.end_all_sessions`: logout, a password change or reset, deactivation)
  makes every session made before it fail to load.
- A session carries the time it was last used; one unused for TRACKER_SESSION_IDLE_MINUTES
  is refused by the server, even when an old cookie is sent again (the cookie is signed, so
  the time cannot be changed by the client).
- "Keep me signed in" is a token per sign-in: a random secret in the `tracker_remember`
  cookie ("<id>:<secret>"), only its SHA-256 in the database, with an expiry the server
  checks. A request without a session but with a valid token starts a session again (the
  token is not rotated: two tabs restoring at once would otherwise sign each other out).
  Flask-Login's own remember cookie (a signed user id, forever) is never set.

The time is the application's clock (tracker/clock.py), so the tests move it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete
from werkzeug.wrappers import Response

from tracker import audit
from tracker.audit import AuditKind
from tracker.auth import throttle
from tracker.auth.services import authenticate, end_all_sessions, find_user_by_email
from tracker.clock import current_clock
from tracker.extensions import db
from tracker.models import RememberToken, User

REMEMBER_COOKIE = "tracker_remember"
_LAST_SEEN = "last_seen"


def parse_identity(identity: str) -> tuple[int, int] | None:
    """(user id, session version) from a session's "id:version", or None if malformed
    (a session from before versions, "12", is malformed: its user signs in again)."""
    user_id, _, version = identity.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def load_session_user(identity: str) -> User | None:
    """The user of a session, if it is current: the right version, an active user and
    used within the idle limit. Marks the session as used now."""
    parsed = parse_identity(identity)
    if parsed is None or _idle_too_long():
        return None
    user = db.session.get(User, parsed[0])
    if user is None or not user.active or user.session_version != parsed[1]:
        return None
    _mark_seen()
    return user


def _idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["TRACKER_SESSION_IDLE_MINUTES"]))


def _idle_too_long() -> bool:
    last_seen = session.get(_LAST_SEEN)
    if not isinstance(last_seen, int | float):
        return True
    return current_clock().now().timestamp() - last_seen > _idle_limit().total_seconds()


def _mark_seen() -> None:
    session[_LAST_SEEN] = int(current_clock().now().timestamp())


def start_session(user: User) -> None:
    """Sign `user` in on this request: a session with the user's current version, expiring
    when idle. Also renews the signer's own session after their sessions were ended (a
    password change keeps the person who changed it signed in)."""
    session.permanent = True
    _mark_seen()
    login_user(user, remember=False)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_remember_token(user: User) -> str:
    """A new remember-me token for `user`; returns the cookie's value. In the caller's
    transaction (the cookie must only be sent once the token is committed)."""
    secret = secrets.token_urlsafe(32)
    now = current_clock().now()
    days = int(current_app.config["TRACKER_REMEMBER_DAYS"])
    # The user's expired tokens, of browsers that never came back, go (by the user's index).
    db.session.execute(
        delete(RememberToken).where(
            RememberToken.user_id == user.id, RememberToken.expires_at <= now
        )
    )
    token = RememberToken(
        user=user, token_hash=_hash(secret), created_at=now, expires_at=now + timedelta(days=days)
    )
    db.session.add(token)
    db.session.flush()
    return f"{token.id}:{secret}"


def user_of_remember_token(cookie: str) -> User | None:
    """The active user whose unexpired token the cookie holds (its use noted), else None."""
    token_id, _, secret = cookie.partition(":")
    if not token_id.isdigit() or not secret:
        return None
    token = db.session.get(RememberToken, int(token_id))
    now = current_clock().now()
    if token is None or not hmac.compare_digest(token.token_hash, _hash(secret)):
        return None
    if token.expires_at <= now:
        db.session.execute(delete(RememberToken).where(RememberToken.id == token.id))
        return None
    if not token.user.active:
        return None
    token.last_used_at = now
    return token.user


def set_remember_cookie(response: Response, value: str) -> None:
    config = current_app.config
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=int(config["TRACKER_REMEMBER_DAYS"]) * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
    )


def delete_remember_cookie(response: Response) -> None:
    config = current_app.config
    response.delete_cookie(
        REMEMBER_COOKIE,
        httponly=True,
        samesite="Lax",
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
    )


@dataclass(frozen=True)
class SignIn:
    """What a sign-in try came to: a user (signed in), a wait (throttled, the password not
    checked), or neither (wrong email or password). `remember_cookie`: the value to set."""

    user: User | None = None
    delay: throttle.Delay | None = None
    remember_cookie: str | None = None


def sign_in(email: str, password: str, *, remember: bool, address: str) -> SignIn:
    """Check a sign-in try against the throttle, then the password; record it (attempt and
    audit entry) in the caller's transaction, which must be committed even on a failure."""
    throttle.hold(throttle.Kind.SIGN_IN, email)
    delay = throttle.check(throttle.Kind.SIGN_IN, email, address)
    if delay is not None:
        return SignIn(delay=delay)
    user = authenticate(email, password)
    started = throttle.note(throttle.Kind.SIGN_IN, email, address, succeeded=user is not None)
    if user is None:
        known = find_user_by_email(email)
        subject = audit.about(known) if known is not None else None
        audit.record(
            AuditKind.SIGN_IN_FAILED,
            actor=None,
            actor_label=email.strip()[:254],
            subject=subject,
            address=address,
        )
        if started is not None:
            # The moment a client starts waiting (at most once per delay, however fast it tries).
            audit.record(
                AuditKind.SIGN_IN_THROTTLED,
                actor=None,
                actor_label=email.strip()[:254],
                subject=subject,
                address=address,
            )
        return SignIn()
    audit.record(
        AuditKind.SIGNED_IN,
        actor=user,
        subject=audit.about(user),
        details={"remember": remember},
        address=address,
    )
    return SignIn(user=user, remember_cookie=issue_remember_token(user) if remember else None)


def sign_out(user: User, *, address: str) -> None:
    """End every session and remember-me token of `user` (this one and those on other
    devices, as the issue asks of logout), recorded; in the caller's transaction."""
    end_all_sessions(user, actor=user, address=address, audited=False)
    audit.record(
        AuditKind.SIGNED_OUT,
        actor=user,
        subject=audit.about(user),
        address=address,
    )


def forget_session() -> None:
    """Drop this request's sign-in (after `sign_out`, or a refused remember cookie)."""
    logout_user()
    session.pop(_LAST_SEEN, None)


def restore_from_remember_cookie(cookie: str) -> User | None:
    """Start a session from a remember-me cookie, if its token is valid; the caller commits
    (the token's last use) and deletes the cookie when None is returned."""
    user = user_of_remember_token(cookie)
    if user is not None:
        start_session(user)
    return user
