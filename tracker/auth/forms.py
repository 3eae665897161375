from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.forms_i18n import TrackerForm
from tracker.i18n import LANGUAGE_NAMES


class LoginForm(TrackerForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SettingsForm(TrackerForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
    )
    wants_reminders = BooleanField(_l("Email me reminders before my deadlines"))
    wants_event_emails = BooleanField(
        _l("Email me about informational updates (comments, edits, completed tasks)")
    )
    submit = SubmitField(_l("Save"))


class NewPasswordForm(TrackerForm):
    """A new password, typed twice (the rules are checked by the service)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set the password"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change the password"))


class ForgotPasswordForm(TrackerForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))
