"""Dates typed into the task forms stay within 2000-01-01..2100-12-31 (#9 item 1): a
deadline typed as 0202-11-20 is refused with a message in the user's language, instead of
being stored and breaking the reminders."""

from __future__ import annotations

from datetime import date

import pytest
from wtforms import Form
from wtforms.validators import ValidationError

from tests.conftest import refreshed
from tracker.action_links import Action, ActionLinkSigner
from tracker.extensions import db
from tracker.form_dates import EARLIEST_DATE, LATEST_DATE, SaneDate
from tracker.models import EventKind

ENGLISH = "Enter a date between 2000-01-01 and 2100-12-31."
ARMENIAN = "Մուտքագրեք 2000-01-01 – 2100-12-31 միջակայքի ամսաթիվ։"


class Field:
    def __init__(self, data: date | None) -> None:
        self.data = data


@pytest.mark.parametrize("day", [None, EARLIEST_DATE, date(2025, 3, 31), LATEST_DATE], ids=str)
def test_the_range_and_an_empty_field_pass(app, day: date | None) -> None:
    SaneDate()(Form(), Field(day))


@pytest.mark.parametrize(
    "day",
    [date(1, 1, 1), date(202, 11, 20), date(1999, 12, 31), date(2101, 1, 1), date.max],
    ids=str,
)
def test_dates_outside_the_range_are_refused(app, day: date) -> None:
    with pytest.raises(ValidationError) as refused:
        SaneDate()(Form(), Field(day))
    assert str(refused.value) == ENGLISH


@pytest.mark.parametrize(("language", "message"), [("en", ENGLISH), ("hy", ARMENIAN)])
def test_a_deadline_with_a_short_year_is_refused_in_the_users_language(
    client, org, language: str, message: str
) -> None:
    org.manager.language = language
    db.session.commit()
    client.login(org.manager.email)
    response = client.submit(
        f"/tasks/{org.task.id}/deadline",
        {"deadline": "0202-11-20", "reason": "Typed in a hurry."},
        page="/tasks",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    task = refreshed(org.task)
    assert task.deadline == date(2025, 3, 31)
    assert [event.kind for event in task.events] == [EventKind.CREATED]


@pytest.mark.parametrize("typed", ["2000-01-01", "2100-12-31"])
def test_the_ends_of_the_range_are_accepted(client, org, typed: str) -> None:
    client.login(org.manager.email)
    response = client.submit(
        f"/tasks/{org.task.id}/deadline", {"deadline": typed, "reason": "Why not."}, page="/tasks"
    )
    assert response.status_code == 302
    assert refreshed(org.task).deadline == date.fromisoformat(typed)


@pytest.mark.parametrize("typed", ["1999-12-31", "2101-01-01"])
def test_asking_for_more_time_outside_the_range_is_refused(app, client, org, typed: str) -> None:
    url = "/tasks/action/" + ActionLinkSigner(app.config["SECRET_KEY"]).make(
        org.task.id, org.officer.id, Action.EXTEND
    )
    client.login(org.officer.email)
    response = client.submit(url, {"deadline": typed, "reason": "Waiting for the ministry."})
    assert response.status_code == 400
    assert ENGLISH in response.get_data(as_text=True)
    kinds = [event.kind for event in refreshed(org.task).events]
    assert EventKind.EXTENSION_REQUESTED not in kinds
