"""The progress report's scope form: a GET form, so a report's address can be bookmarked,
shared and opened again as a PDF with the same arguments."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.forms_i18n import TrackerForm
from tracker.reporting.periods import Period

KINDS = ("all", "report", "department", "period")
KIND_CHOICES = [
    SelectChoice("all", _l("Everything I may see")),
    SelectChoice("report", _l("One trip report")),
    SelectChoice("department", _l("One department and those below it")),
    SelectChoice("period", _l("The recommendations due in the period")),
]


class ScopeForm(TrackerForm):
    class Meta:
        csrf = False

    kind = RadioField(_l("The report covers"), choices=KIND_CHOICES, default="all")
    report = SelectField(_l("Trip report"), coerce=str, default="")
    department = SelectField(_l("Department"), coerce=str, default="")
    period = StringField(
        _l("Period"),
        description=_l("A month (2026-10), a quarter (2026-Q3) or a year (2026)."),
    )
    submit = SubmitField(_l("Show the report"))

    def validate(self, extra_validators: Any = None) -> bool:
        # Only the chosen kind's field is read: a value left in another one (a link edited
        # by hand, a choice made before switching kind) must not refuse the report.
        for name in ("report", "department"):
            if self.kind.data != name:
                getattr(self, name).data = ""
        return bool(super().validate(extra_validators))

    def validate_period(self, field: Any) -> None:
        if Period.parse(field.data or "") is None:
            raise ValidationError(
                _l("Write a month (2026-10), a quarter (2026-Q3) or a year (2026).")
            )

    def validate_report(self, field: Any) -> None:
        if self.kind.data == "report" and not field.data:
            raise ValidationError(_l("Choose a trip report."))

    def validate_department(self, field: Any) -> None:
        if self.kind.data == "department" and not field.data:
            raise ValidationError(_l("Choose a department."))
