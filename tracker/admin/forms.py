from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, SubmitField
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
    # No password: the person sets their own from the invitation email.
    submit = SubmitField(_l("Add user and send the invitation"))


class UserEditForm(TrackerForm):
    """An administrator's edit of an account; the department by id (names may repeat
    across renames, ids do not)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class UserActionForm(TrackerForm):
    """The buttons of the account's page: each posts only its CSRF token."""

    submit = SubmitField()


class DepartmentForm(TrackerForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent = SelectField(_l("Parent department"), choices=[], validate_choice=False)
    head = SelectField(_l("Head"), choices=[], validate_choice=False, validators=[Optional()])
    submit = SubmitField(_l("Add department"))


class RetryForm(TrackerForm):
    submit = SubmitField(_l("Send again"))


class DepartmentEditForm(TrackerForm):
    """A department's own page: ids, not names, so a rename cannot be mistaken for another."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # The service refuses a parent inside the department (a forged choice included).
    parent = SelectField(_l("Parent department"), choices=[], validate_choice=False)
    head = SelectField(_l("Head"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save the department"))


class DepartmentRemoveForm(TrackerForm):
    move_to = SelectField(
        _l("Move its people, departments and tasks to"), choices=[], validate_choice=False
    )
    submit = SubmitField(_l("Remove the department"))
