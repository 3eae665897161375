from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm

STATUS_CHOICES = [
    SelectChoice("overdue", _l("Overdue")),
    SelectChoice("open", _l("Open")),
    SelectChoice("in_progress", _l("In progress")),
    SelectChoice("done", _l("Done")),
    SelectChoice("cancelled", _l("Cancelled")),
    SelectChoice("all", _l("All")),
]


class FilterForm(TrackerForm):
    """A GET form: filters live in the URL, so a filtered view can be bookmarked or shared."""

    class Meta:
        csrf = False

    department = SelectField(_l("Department"), coerce=str, validate_choice=False)
    owner = SelectField(_l("Owner"), coerce=str, validate_choice=False)
    report = SelectField(_l("Report"), coerce=str, validate_choice=False)
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="overdue")
    deadline_from = DateField(_l("Deadline from"), validators=[Optional(), SaneDate()])
    deadline_to = DateField(_l("Deadline to"), validators=[Optional(), SaneDate()])
    submit = SubmitField(_l("Apply"))

    def validate_deadline_to(self, field: Any) -> None:
        """A period that ends before it starts is said so, not shown as an empty list."""
        start = self.deadline_from.data
        if start is not None and field.data is not None and field.data < start:
            raise ValidationError(_l("The end of the period is before its start."))
