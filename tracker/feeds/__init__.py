"""Calendar feeds: each user's open deadlines as a private iCalendar URL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from tracker.models import User


def init_app(app: Flask) -> None:
    """Put the calendar link's section on the settings page (called by the factory)."""
    from tracker.auth import SettingsBlock, add_settings_block

    add_settings_block(app, SettingsBlock("feeds/_settings_block.html", _settings_context))


def _settings_context(user: User) -> Mapping[str, object]:
    from flask import current_app

    from tracker.feeds.forms import CalendarFeedForm, TeamCalendarForm
    from tracker.feeds.services import calendar_url
    from tracker.feeds.team import manages_departments, team_calendar_url

    base_url = current_app.config["TRACKER_BASE_URL"]
    return {
        "calendar_form": CalendarFeedForm(formdata=None),
        "calendar_url": calendar_url(user, base_url=base_url),
        # A manager's second link (#14); a link left from a former role can still be revoked.
        "team_calendar_offered": manages_departments(user),
        "team_calendar_form": TeamCalendarForm(formdata=None),
        "team_calendar_url": team_calendar_url(user, base_url=base_url),
    }
