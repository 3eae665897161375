"""The languages of the tracker; language and time zone of the current request, for
Flask-Babel; the organisation's "today"."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from flask import current_app, has_request_context, session
from flask_login import current_user

from tracker.clock import current_clock


class Language(StrEnum):
    """The languages of the interface and the emails (a user's `language`)."""

    HY = "hy"  # Armenian, the organisation's language
    EN = "en"


# The one list of language codes: the configuration, the forms, the checks and the CLI.
LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)
DEFAULT_LANGUAGE = Language.HY.value
# Each language's name in itself, as the language pickers offer it.
LANGUAGE_NAMES = {Language.HY.value: "Հայերեն", Language.EN.value: "English"}


def select_locale() -> str:
    if not has_request_context():
        # Commands print for the person running them on the server; emails pick their
        # recipient's language themselves with `force_locale`.
        return Language.EN.value
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    # Armenian is the organisation's language: the browser's preference does not override it.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TRACKER_TIMEZONE"]


def org_today() -> date:
    """The organisation's calendar day, by the application's clock (`tracker.clock`)."""
    return current_clock().today(current_app.config["TRACKER_TIMEZONE"])
