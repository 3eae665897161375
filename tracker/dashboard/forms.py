from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from tracker.dashboard.services import AGING_BUCKETS, aging_status
from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm

STATUS_CHOICES = [
    SelectChoice("overdue", _l("Overdue")),
    SelectChoice("open", _l("Open")),
    SelectChoice("in_progress", _l("In progress")),
    SelectChoice("awaiting_acceptance", _l("Awaiting acceptance")),
    SelectChoice("done", _l("Done")),
    SelectChoice("cancelled", _l("Cancelled")),
    SelectChoice("all", _l("All")),
    # The dashboard's figures and aging buckets: each opens exactly the tasks it counts.
    SelectChoice("active", _l("Open or in progress")),
    SelectChoice("due_soon", _l("Due in the next 14 days")),
    SelectChoice("done_this_month", _l("Done this month")),
    SelectChoice("due", _l("Due (deadline passed, not cancelled)")),
    SelectChoice("done_on_time", _l("Done on time, of those due")),
    *(
        SelectChoice(
            aging_status(low, high),
            _l("Overdue by %(low)d–%(high)d days", low=low, high=high)
            if high is not None
            else _l("Overdue by more than %(days)d days", days=low - 1),
        )
        for low, high in AGING_BUCKETS
    ),
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

    def active_filter_count(self, bars: int = 0) -> int:
        """How many filters narrow the list beyond what the dashboard shows by default (the
        overdue tasks of every department, owner and report), typed dates included, and
        `bars`: the charts' bars the list is narrowed to (kept in hidden fields)."""
        chosen = [self.department.data, self.owner.data, self.report.data]
        typed = [self.deadline_from.raw_data, self.deadline_to.raw_data]
        status_changed = self.status.data not in (None, "", "overdue")
        return (
            sum(1 for value in chosen if value)
            + sum(1 for raw in typed if raw and raw[0])
            + int(status_changed)
            + bars
        )

    def shows_error(self) -> bool:
        """Whether a field says what is wrong with it (only the dates are shown with errors)."""
        return bool(self.deadline_from.errors or self.deadline_to.errors)
