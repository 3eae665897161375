"""The forms that change a confirmed task and make one by hand (#11 items 2 and 7)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.form_dates import SaneDate
from tracker.forms_i18n import TrackerForm
from tracker.models import User
from tracker.tasks import changes

TEXT_LENGTH = 5000


def owner_choices(users: Sequence[User]) -> list[SelectChoice]:
    """One option per person (with their position), grouped by department: a plain select
    stays usable with hundreds of people. People without a department come last."""
    no_department = str(_l("No department"))

    def group(user: User) -> tuple[bool, str]:
        return (user.department is None, user.department.name if user.department else "")

    choices = []
    for user in sorted(users, key=lambda user: (*group(user), user.name)):
        label = f"{user.name} — {user.position}" if user.position else user.name
        department = user.department.name if user.department else no_department
        choices.append(SelectChoice(str(user.id), label, optgroup=department))
    return choices


class _OwnersField(SelectMultipleField):
    """The owners, chosen among the active users; the form gives them to the service."""

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        super().__init__(
            label,
            coerce=int,
            validators=[DataRequired(_l("Choose at least one responsible person."))],
            **kwargs,
        )


class _WithOwners(TrackerForm):
    """A form with an owners field, offering whom a task may be given to. The people are
    read only when the field is shown or checked: the task page builds this form for every
    visitor, most of whom never see it."""

    owners: _OwnersField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners.choices = lambda: owner_choices(list(self.candidates.values()))

    @cached_property
    def candidates(self) -> dict[int, User]:
        return {user.id: user for user in changes.owner_candidates()}

    def chosen_owners(self) -> list[User]:
        """The people chosen, in the order they were chosen (validated against the choices)."""
        return [self.candidates[user_id] for user_id in self.owners.data or []]


class EditForm(TrackerForm):
    title = StringField(
        _l("Recommendation"), validators=[DataRequired(), Length(max=changes.TITLE_LENGTH)]
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=TEXT_LENGTH)])
    expected_result = TextAreaField(_l("Expected result"), validators=[Length(max=TEXT_LENGTH)])
    method = TextAreaField(_l("Method and form"), validators=[Length(max=TEXT_LENGTH)])
    submit = SubmitField(_l("Save the changes"))

    def wording(self) -> changes.Wording:
        return changes.Wording(
            title=self.title.data or "",
            description=self.description.data or "",
            expected_result=self.expected_result.data,
            method=self.method.data,
        )


class OwnersForm(_WithOwners):
    owners = _OwnersField(_l("Responsible"))
    submit = SubmitField(_l("Change the owners"))


class ReopenForm(TrackerForm):
    reason = TextAreaField(
        _l("Why it is reopened"), validators=[DataRequired(), Length(max=TEXT_LENGTH)]
    )
    deadline = DateField(_l("New deadline (optional)"), validators=[Optional(), SaneDate()])
    submit = SubmitField(_l("Reopen the task"))


class NewTaskForm(_WithOwners):
    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=changes.TITLE_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Length(max=TEXT_LENGTH)])
    owners = _OwnersField(_l("Responsible"))
    deadline = DateField(_l("Deadline"), validators=[Optional(), SaneDate()])
    expected_result = TextAreaField(_l("Expected result"), validators=[Length(max=TEXT_LENGTH)])
    method = TextAreaField(_l("Method and form"), validators=[Length(max=TEXT_LENGTH)])
    source_note = StringField(
        _l("Where the task comes from"), validators=[DataRequired(), Length(max=1000)]
    )
    submit = SubmitField(_l("Create the task"))

    def hand_made_task(self) -> changes.HandMadeTask:
        return changes.HandMadeTask(
            wording=changes.Wording(
                title=self.title.data or "",
                description=self.description.data or "",
                expected_result=self.expected_result.data,
                method=self.method.data,
            ),
            owners=self.chosen_owners(),
            source_note=self.source_note.data or "",
            deadline=self.deadline.data,
        )
