from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    Field,
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
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select, html_params

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm, TranslatedMeta
from tracker.models import User
from tracker.reports.access import OwnerGroup
from tracker.reports.owners import latin_spelling


class OwnerChoices(dict[str, list[SelectChoice]]):
    """The owner choices, one <optgroup> per group, shared by every row of a page. Each
    option's HTML is made once and reused: 20 rows of 500 people are 10,000 options."""

    def __init__(self, groups: dict[str, list[SelectChoice]]) -> None:
        super().__init__(groups)
        self._html: dict[tuple[object, bool, bool], Markup] = {}
        self.described = False

    def option_html(self, choice: SelectChoice, selected: bool, described: bool) -> Markup:
        """The option; `described` with what the picker script reads (data-*), which only the
        page's first select carries: the script reads it once for all the rows."""
        key = (choice.value, selected, described)
        html = self._html.get(key)
        if html is None:
            data = choice.render_kw if described else {}
            attributes = html_params(value=choice.value, selected=selected, **data)
            html = self._html[key] = Markup(f"<option {attributes}>{escape(choice.label)}</option>")
        return html


class OwnerSelect(Select):
    """A multiple select of OwnerChoices, its options' HTML shared between the rows."""

    def __init__(self) -> None:
        super().__init__(multiple=True)

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        choices = field.choices
        if not isinstance(choices, OwnerChoices):
            return Markup(super().__call__(field, **kwargs))
        kwargs.setdefault("id", field.id)
        chosen = set(field.data or ())
        described, choices.described = not choices.described, True
        html = [f"<select {html_params(name=field.name, multiple=True, **kwargs)}>"]
        for label, group in choices.items():
            html.append(f"<optgroup {html_params(label=label)}>")
            html.extend(
                choices.option_html(choice, choice.value in chosen, described) for choice in group
            )
            html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))


REPORT_EXTENSIONS = ["txt", "docx", "doc", "pdf"]


class UploadForm(TrackerForm):
    file = FileField(
        _l("Report file (.txt, .docx, .doc or .pdf)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(
                REPORT_EXTENSIONS, _l("Only .txt, .docx, .doc and .pdf reports can be read.")
            ),
        ],
    )
    submit = SubmitField(_l("Upload and read"))


def _owner_choice(user: User, usual: bool) -> SelectChoice:
    """An owner option: "Name — position", with what the picker script searches (the name
    and position in Latin letters, so typing "sargsyan" finds "Սարգսյան")."""
    label = f"{user.name} — {user.position}" if user.position else user.name
    render_kw: dict[str, str] = {"data-latin": latin_spelling(f"{user.name} {user.position or ''}")}
    if user.position:
        render_kw["data-position"] = user.position
    if not usual:
        # Their group is not their department: the picker still shows where they work.
        render_kw["data-unusual"] = "1"
        render_kw["data-department"] = user.department.name if user.department else ""
    return SelectChoice(user.id, label, render_kw=render_kw)


def owner_choices(groups: list[OwnerGroup]) -> OwnerChoices:
    return OwnerChoices(
        {
            group.label: [_owner_choice(user, group.usual) for user in group.users]
            for group in groups
        }
    )


class RecommendationRow(Form):
    """One recommendation on the review page; the CSRF token belongs to the whole form."""

    class Meta(TranslatedMeta):
        pass

    task_id = HiddenField()
    include = BooleanField(_l("Keep"))
    title = StringField(_l("Recommendation"), validators=[Length(max=500)])
    owners = SelectMultipleField(_l("Responsible"), coerce=int, choices=[], widget=OwnerSelect())
    deadline = DateField(_l("Deadline"), validators=[Optional(), SaneDate()])
    deadline_text = StringField(_l("As written"), validators=[Optional(), Length(max=300)])
    expected_result = TextAreaField(_l("Expected result"), validators=[Optional()])
    method = TextAreaField(_l("Method and form"), validators=[Optional()])


class ReviewForm(TrackerForm):
    rows = FieldList(FormField(RecommendationRow))
    save = SubmitField(_l("Save the draft"))
    # Saves what was typed first, so nothing is lost on the way to the new row's page.
    add = SubmitField(_l("Save and add a recommendation"))
    confirm = SubmitField(_l("Confirm and open the tasks"))

    def set_owner_choices(self, choices: OwnerChoices) -> None:
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

    def row_errors(self) -> list[tuple[int, object]]:
        """(row number from 1, message) for each error, in the page's order: the summary at
        the top of a refused review."""
        found: list[tuple[int, object]] = []
        for number, row in enumerate(self.rows, start=1):
            for field in row.form:
                found.extend((number, message) for message in field.errors)
        return found


class AddRecommendationForm(TrackerForm):
    """A recommendation the parser missed, added to the draft by the reviewer."""

    title = StringField(
        _l("Recommendation"),
        validators=[DataRequired(_l("A recommendation needs a title.")), Length(max=500)],
    )
    owners = SelectMultipleField(_l("Responsible"), coerce=int, choices=[], widget=OwnerSelect())
    deadline = DateField(_l("Deadline"), validators=[Optional(), SaneDate()])
    deadline_text = StringField(_l("As written"), validators=[Optional(), Length(max=300)])
    expected_result = TextAreaField(_l("Expected result"), validators=[Optional()])
    method = TextAreaField(_l("Method and form"), validators=[Optional()])
    submit = SubmitField(_l("Add the recommendation"))


class DiscardForm(TrackerForm):
    submit = SubmitField(_l("Discard this import"))


class ScanRetryForm(TrackerForm):
    submit = SubmitField(_l("Try again"))


class ScanRemoveForm(TrackerForm):
    submit = SubmitField(_l("Remove"))
