"""Signed, expiring links in emails for "mark done" and "ask for more time".

A link names one task, one user and one action; it only opens a confirmation page (GET
never changes anything), and the confirming POST uses it up, so it works once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "tracker.task-action"


class Action(StrEnum):
    DONE = "done"
    EXTEND = "extend"


class LinkError(ValueError):
    """A link that is forged, expired or not for this action."""


@dataclass(frozen=True)
class ActionLink:
    task_id: int
    user_id: int
    action: Action
    nonce: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_action_token(secret_key: str, task_id: int, user_id: int, action: Action) -> str:
    payload = {"t": task_id, "u": user_id, "a": action.value, "n": secrets.token_hex(8)}
    return _serializer(secret_key).dumps(payload)


def read_action_token(secret_key: str, token: str, max_age_days: int) -> ActionLink:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_days * 86400)
    except SignatureExpired:
        raise LinkError("expired") from None
    except BadSignature:
        raise LinkError("invalid") from None
    try:
        return ActionLink(
            task_id=int(payload["t"]),
            user_id=int(payload["u"]),
            action=Action(payload["a"]),
            nonce=str(payload["n"]),
        )
    except (KeyError, TypeError, ValueError):
        raise LinkError("invalid") from None
