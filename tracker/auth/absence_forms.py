"""The form that records an absence, on the settings page and the admin's page alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm


class AbsenceForm(TrackerForm):
    starts_on = DateField(_l("First day away"), validators=[DataRequired(), SaneDate()])
    ends_on = DateField(_l("Last day away"), validators=[DataRequired(), SaneDate()])
    # Filled by the view with the active users other than the absent person.
    substitute = SelectField(_l("Substitute"), choices=[], coerce=int, validate_choice=True)
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save absence"))


class RemoveAbsenceForm(TrackerForm):
    submit = SubmitField(_l("Remove"))
