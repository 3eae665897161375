from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.forms_i18n import TrackerForm
from tracker.i18n import LANGUAGE_NAMES

ROLE_CHOICES = [
    SelectChoice("officer", _l("Officer")),
    SelectChoice("manager", _l("Manager")),
    SelectChoice("staff", _l("Staff")),
    SelectChoice("admin", _l("Administrator")),
]
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class UserForm(TrackerForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    # Shown beside the name where a report's reviewer chooses owners.
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8)])
    submit = SubmitField(_l("Add user"))


class DepartmentForm(TrackerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent = SelectField(_l("Parent department"), choices=[], validate_choice=False)
    head = SelectField(_l("Head"), choices=[], validate_choice=False, validators=[Optional()])
    submit = SubmitField(_l("Save department"))


class RetryForm(TrackerForm):
    submit = SubmitField(_l("Send again"))
