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
    from flask import Flask
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
    """Deny by default: a view not marked `public` needs a signed-in, active user."""
    from flask import current_app, request
    from flask_login import current_user

    from tracker.extensions import db, login_manager
    from tracker.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says enough

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    @app.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()
