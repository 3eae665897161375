"""A task awaiting acceptance in the owner's calendar feed (#11 item 3): it stays on its
deadline (it is not finished until accepted, and may come back for more work), with its
status in the event's title and description, in the owner's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from icalendar import Calendar, Event

from tests.conftest import TrackerClient
from tracker.extensions import db
from tracker.feeds.services import issue_calendar_token
from tracker.models import Task, TaskStatus, User

MakeUser = Callable[..., User]
MakeTask = Callable[..., Task]
DEADLINE = date(2026, 12, 15)


def events(client: TrackerClient, user: User) -> dict[str, Event]:
    issue_calendar_token(user)
    db.session.commit()
    response = client.get(f"/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT") if isinstance(e, Event)}


def await_acceptance(task: Task) -> None:
    task.status = TaskStatus.AWAITING_ACCEPTANCE
    task.submitted_at = datetime(2026, 6, 10, 8, tzinfo=UTC)
    db.session.commit()


def test_a_task_awaiting_acceptance_stays_in_the_feed_marked_with_its_status(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner = make_user()
    await_acceptance(make_task(owner, title="Bridge report", deadline=DEADLINE))
    make_task(owner, title="Still open", deadline=DEADLINE)
    make_task(owner, title="Done", deadline=DEADLINE, status=TaskStatus.DONE)

    found = events(client, owner)

    assert set(found) == {"[Awaiting acceptance] Bridge report", "Still open"}
    waiting = found["[Awaiting acceptance] Bridge report"]
    assert waiting.decoded("dtstart") == DEADLINE
    assert "Status: Awaiting acceptance" in str(waiting["description"])
    assert "Status" not in str(found["Still open"]["description"])


def test_the_marker_is_in_the_owners_language(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner = make_user(language="hy")
    await_acceptance(make_task(owner, title="Կամրջի հաշվետվություն", deadline=DEADLINE))

    (summary,) = events(client, owner)

    assert summary == "[Սպասում է ընդունման] Կամրջի հաշվետվություն"
