from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm, TranslatedMeta

REPORT_EXTENSIONS = ["txt", "docx", "pdf"]


class UploadForm(TrackerForm):
    file = FileField(
        _l("Report file (.txt, .docx or .pdf)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(REPORT_EXTENSIONS, _l("Only .txt, .docx and .pdf reports can be read.")),
        ],
    )
    submit = SubmitField(_l("Upload and read"))


class RecommendationRow(Form):
    """One recommendation on the review page; the CSRF token belongs to the whole form."""

    class Meta(TranslatedMeta):
        pass

    task_id = HiddenField()
    include = BooleanField(_l("Keep"))
    title = StringField(_l("Recommendation"), validators=[Length(max=500)])
    owners = SelectMultipleField(_l("Responsible"), coerce=int, choices=[])
    deadline = DateField(_l("Deadline"), validators=[Optional(), SaneDate()])
    deadline_text = StringField(_l("As written"), validators=[Optional(), Length(max=300)])
    expected_result = TextAreaField(_l("Expected result"), validators=[Optional()])
    method = TextAreaField(_l("Method and form"), validators=[Optional()])


class ReviewForm(TrackerForm):
    rows = FieldList(FormField(RecommendationRow))
    save = SubmitField(_l("Save the draft"))
    confirm = SubmitField(_l("Confirm and open the tasks"))

    def set_owner_choices(self, choices: list[SelectChoice]) -> None:
        for row in self.rows:
            row.form.owners.choices = choices

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.rows:
            if not row.form.include.data:
                continue
            if not (row.form.title.data or "").strip():
                row.form.title.errors.append(_l("A recommendation needs a title."))
                valid = False
            # A task nobody owns would never be reminded: confirming needs an owner.
            if self.confirm.data and not row.form.owners.data:
                row.form.owners.errors.append(_l("Choose at least one responsible person."))
                valid = False
        return valid


class DiscardForm(TrackerForm):
    submit = SubmitField(_l("Discard this import"))
