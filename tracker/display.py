"""How dates and times read on every page and in every email: one Babel format family
(the locale's medium date, plus its short time for a moment), in the user's language and
the organisation's time zone. Templates use it as the `when` filter."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_time
from flask_babel import get_locale, to_user_timezone


def format_day(value: date, locale: Locale | str | None) -> str:
    """A day as every page and email words it (`when`, and the digests, which format their
    days once per recipient's language)."""
    return format_date(value, "medium", locale=locale)


def when(value: date | datetime | None) -> str:
    """`26 նոյ, 2026 թ.` / `Nov 26, 2026` for a day; with `, 08:18` / `, 8:18 AM` for a
    moment (stored in UTC, shown in the organisation's time zone). None reads as a dash."""
    if value is None:
        return "—"
    locale = get_locale()
    if not isinstance(value, datetime):
        return format_day(value, locale)
    local = to_user_timezone(value)
    day = format_day(local, locale)
    time = format_time(local, "short", locale=locale)
    pattern = str(locale.datetime_formats["medium"]) if locale else "{1}, {0}"
    return pattern.replace("{1}", day).replace("{0}", time)


_STORED_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?!\d)")


def stored_value(text: str | None) -> str:
    """A value the task history stored as text, as the user reads it: an ISO day in it
    (a deadline, "2026-11-30 (by the end of November)") through `when`; nothing as a dash."""
    if not text:
        return "—"

    def day(match: re.Match[str]) -> str:
        try:
            return when(date.fromisoformat(match.group(1)))
        except ValueError:
            return match.group(1)

    return _STORED_DAY.sub(day, text)
