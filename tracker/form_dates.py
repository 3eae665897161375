"""The range of dates a person may type into a form.

The browsers' date inputs accept any year, so a deadline typed as `0202-11-20` or
`20255-01-01` would otherwise be stored and reminded about. Every date field a person fills
in takes this validator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class SaneDate:
    """Refuses a date outside EARLIEST_DATE..LATEST_DATE, in the user's language.

    An empty field is left to DataRequired or Optional."""

    def __init__(self, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> None:
        self.earliest = earliest
        self.latest = latest

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if value is None or self.earliest <= value <= self.latest:
            return
        raise ValidationError(
            _l(
                "Enter a date between %(earliest)s and %(latest)s.",
                earliest=self.earliest.isoformat(),
                latest=self.latest.isoformat(),
            )
        )
