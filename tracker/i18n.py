"""Language and time zone of the current request, for Flask-Babel."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context, session
from flask_login import current_user

from tracker.clock import local_today


def select_locale() -> str:
    if not has_request_context():
        # Commands print for the person running them on the server; emails pick their
        # recipient's language themselves with `force_locale`.
        return "en"
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    # Armenian is the organisation's language: the browser's preference does not override it.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TRACKER_TIMEZONE"]


def org_today() -> date:
    return local_today(current_app.config["TRACKER_TIMEZONE"])
