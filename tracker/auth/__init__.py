"""Signing in and out; every other page needs it.

The plumbing other features use lives here, not in the views, so that no feature imports
another's views: `public` marks a view reachable without signing in, `add_settings_block`
puts a feature's section on the settings page. `init_app` (called by the factory) makes
every other view need a login.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from flask import Flask, Response
    from flask.typing import ResponseReturnValue

    from tracker.models import User

ViewFunction = TypeVar("ViewFunction", bound="Callable[..., ResponseReturnValue]")

_SETTINGS_BLOCKS = "tracker.settings_blocks"


def public(view: ViewFunction) -> ViewFunction:
    """Mark a view as reachable without signing in; every other view needs a login."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class SettingsBlock:
    """A feature's section of the settings page: its template, rendered with the context
    `context(user)` returns (forms, links) for the signed-in user."""

    template: str
    context: Callable[[User], Mapping[str, object]]


def add_settings_block(app: Flask, block: SettingsBlock) -> None:
    app.extensions.setdefault(_SETTINGS_BLOCKS, []).append(block)


def settings_blocks(app: Flask) -> list[SettingsBlock]:
    blocks: list[SettingsBlock] = app.extensions.get(_SETTINGS_BLOCKS, [])
    return blocks


def init_app(app: Flask) -> None:
    """Deny by default: a view not marked `public` needs a signed-in, active user, whose
    session is current (tracker/auth/sessions.py) or restored from a remember-me token."""
    from datetime import timedelta

    from flask import after_this_request, current_app, request
    from flask_login import current_user

    from tracker.auth import sessions
    from tracker.extensions import login_manager
    from tracker.unit_of_work import unit_of_work

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says enough
    # The cookie lasts as long as a session may stay unused; the server checks it too.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        minutes=int(app.config["TRACKER_SESSION_IDLE_MINUTES"])
    )

    login_manager.user_loader(sessions.load_session_user)

    @app.before_request
    def restore_remembered_user() -> None:
        cookie = request.cookies.get(sessions.REMEMBER_COOKIE)
        if not cookie or request.endpoint in (None, "static") or current_user.is_authenticated:
            return
        with unit_of_work():
            user = sessions.restore_from_remember_cookie(cookie)
        if user is None:
            after_this_request(_dropping_remember_cookie)

    @app.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()


def _dropping_remember_cookie(response: Response) -> Response:
    from tracker.auth.sessions import delete_remember_cookie

    delete_remember_cookie(response)
    return response
