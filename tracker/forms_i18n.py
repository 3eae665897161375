"""Forms that speak the user's language, validation messages included.

WTForms ships no Armenian catalogue, so the forms' `Meta` sends WTForms' own messages
("This field is required.", "Invalid URL.", ...) through our catalogue, where each has its
Armenian entry; in English the msgid is the message. Flask-WTF raises its CSRF messages as
plain English strings, so `translated_errors` passes every error through the catalogue too
(a message already translated is not a msgid and comes back as it is).
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations
from flask_babel import gettext as _gettext
from flask_wtf import FlaskForm


class _CatalogueTranslations:
    """What WTForms asks of `Meta.get_translations`: `gettext` and `ngettext`, unformatted
    (WTForms fills in `%(min)d` and the like itself), read in the current locale."""

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


CATALOGUE_TRANSLATIONS = _CatalogueTranslations()


class TranslatedMeta:
    """Mix into a form's `Meta` (also a plain `wtforms.Form` nested in a FormField)."""

    def get_translations(self, form: Any) -> _CatalogueTranslations:
        return CATALOGUE_TRANSLATIONS


class TrackerForm(FlaskForm):
    """Every form of the tracker: Flask-WTF's CSRF, messages from our catalogue."""

    class Meta(TranslatedMeta):
        pass


def translated_error(message: object) -> str:
    """An error as the user reads it: Flask-WTF's CSRF messages are raised untranslated."""
    text = str(message)
    return _gettext(text) if text else text


# The messages of WTForms and Flask-WTF that our forms' fields and validators can show, marked
# for pybabel (which extracts `_` and `ngettext`), so the catalogue test requires each one's
# Armenian entry. Only the markers run here: the libraries translate through the Meta above.
def _(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


LIBRARY_MESSAGES = (
    _("This field is required."),  # DataRequired, InputRequired
    _("Invalid input."),  # InputRequired without data
    _("Invalid URL."),
    _("Invalid email address."),
    _("Invalid value, must be one of: %(values)s."),  # AnyOf
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        2,
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        2,
    ),
    _("Field must be between %(min)d and %(max)d characters long."),
    _("Not a valid date value."),
    _("Not a valid choice."),
    _("Invalid Choice: could not coerce."),
    _("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        2,
    ),
    # Flask-WTF's CSRF field (raised untranslated; see translated_error).
    _("The CSRF token is missing."),
    _("The CSRF session token is missing."),
    _("The CSRF token has expired."),
    _("The CSRF token is invalid."),
    _("The CSRF tokens do not match."),
)
