from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm


class ProgressForm(TrackerForm):
    note = TextAreaField(_l("Progress note"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Add note"))


class DoneForm(TrackerForm):
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=5000)])
    evidence_url = StringField(
        _l("Link to evidence"),
        validators=[Optional(), URL(require_tld=False), Length(max=2000)],
    )
    evidence_file = FileField(_l("Evidence file"))
    submit = SubmitField(_l("Mark done"))


class CancelForm(TrackerForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Cancel the task"))


class DeadlineForm(TrackerForm):
    deadline = DateField(_l("New deadline"), validators=[DataRequired(), SaneDate()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Change the deadline"))


class ExtensionForm(TrackerForm):
    deadline = DateField(_l("New deadline you ask for"), validators=[DataRequired(), SaneDate()])
    reason = TextAreaField(
        _l("Why more time is needed"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Ask for more time"))
