"""The forms of extension requests and of verification (#11 items 1 and 3).

Their fields carry ids of their own: several of these forms share the task page with the
deadline and cancel forms, whose fields have the same names (a label must name one field).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm

# Where a decision was taken from, so the manager returns there.
BACK_TO_TASK = "task"
BACK_TO_REQUESTS = "requests"


class AskForTimeForm(TrackerForm):
    """The task page's "ask for more time" (the email link's page uses forms.ExtensionForm)."""

    deadline = DateField(
        _l("New deadline you ask for"),
        validators=[DataRequired(), SaneDate()],
        id="extension-deadline",
    )
    reason = TextAreaField(
        _l("Why more time is needed"),
        validators=[DataRequired(), Length(max=5000)],
        id="extension-reason",
    )
    submit = SubmitField(_l("Ask for more time"), id="extension-submit")


class _DecisionForm(TrackerForm):
    back = HiddenField(default=BACK_TO_TASK, validators=[AnyOf([BACK_TO_TASK, BACK_TO_REQUESTS])])


class ApproveForm(_DecisionForm):
    note = TextAreaField(
        _l("Note (optional)"), validators=[Optional(), Length(max=5000)], id="approve-note"
    )
    submit = SubmitField(_l("Approve"), id="approve-submit")


class RefuseForm(_DecisionForm):
    reason = TextAreaField(
        _l("Why it is refused"), validators=[DataRequired(), Length(max=5000)], id="refuse-reason"
    )
    submit = SubmitField(_l("Refuse"), id="refuse-submit")


class AcceptForm(TrackerForm):
    note = TextAreaField(
        _l("Note (optional)"), validators=[Optional(), Length(max=5000)], id="accept-note"
    )
    submit = SubmitField(_l("Accept as done"), id="accept-submit")


class ReturnForm(TrackerForm):
    reason = TextAreaField(
        _l("What is still missing"),
        validators=[DataRequired(), Length(max=5000)],
        id="return-reason",
    )
    submit = SubmitField(_l("Return for more work"), id="return-submit")
