"""The private calendar feed: what it lists, who can open it, and how its link is managed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from icalendar import Calendar, Event
from werkzeug.test import TestResponse

from tests.conftest import TrackerClient
from tracker.extensions import db
from tracker.feeds.services import calendar_for, issue_calendar_token
from tracker.models import Task, TaskStatus, User

MakeUser = Callable[..., User]
MakeTask = Callable[..., Task]

BASE_URL = "http://tracker.test"  # TestingConfig.TRACKER_BASE_URL
DEADLINE = date(2026, 12, 15)


def feed_path(user: User) -> str:
    db.session.refresh(user)
    assert user.calendar_token is not None
    return f"/calendar/{user.calendar_token}.ics"


def with_token(user: User) -> str:
    issue_calendar_token(user)
    db.session.commit()
    return feed_path(user)


def events_of(response: TestResponse) -> dict[str, Event]:
    assert response.status_code == 200, response.status
    calendar = Calendar.from_ical(response.data)
    return {
        str(event["summary"]): event
        for event in calendar.walk("VEVENT")
        if isinstance(event, Event)
    }


def test_the_feed_lists_exactly_the_owners_open_tasks_with_a_deadline(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner, colleague = make_user(), make_user()
    make_task(owner, title="Open", deadline=DEADLINE, expected_result="A signed memorandum")
    make_task(owner, title="In progress", deadline=DEADLINE, status=TaskStatus.IN_PROGRESS)
    make_task(owner, colleague, title="Shared", deadline=DEADLINE + timedelta(days=3))
    make_task(owner, title="Done", deadline=DEADLINE, status=TaskStatus.DONE)
    make_task(owner, title="Cancelled", deadline=DEADLINE, status=TaskStatus.CANCELLED)
    make_task(owner, title="Draft", deadline=DEADLINE, status=TaskStatus.DRAFT)
    make_task(owner, title="No deadline")
    make_task(colleague, title="Someone else's", deadline=DEADLINE)

    response = client.get(with_token(owner))  # never signed in: calendar apps cannot

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Follow-up Tracker"
    assert str(calendar["x-wr-timezone"]) == "Asia/Yerevan"
    assert set(events_of(response)) == {"Open", "In progress", "Shared"}


def test_each_event_is_all_day_on_the_deadline_and_links_to_the_task(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner = make_user()
    task = make_task(
        owner,
        title="Sign the memorandum",
        deadline=DEADLINE,
        deadline_text="by mid-December",
        expected_result="A signed memorandum",
    )

    event = events_of(client.get(with_token(owner)))["Sign the memorandum"]

    assert event.decoded("dtstart") == DEADLINE  # a date, not a datetime: all day
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event.decoded("dtend") == DEADLINE + timedelta(days=1)
    assert str(event["url"]) == f"{BASE_URL}/tasks/{task.id}"
    assert str(event["uid"]) == f"task-{task.id}@tracker.test"
    assert event.decoded("dtstamp") == task.updated_at.replace(microsecond=0)
    description = str(event["description"])
    assert "Expected result: A signed memorandum" in description
    assert "Deadline: by mid-December" in description
    assert f"{BASE_URL}/tasks/{task.id}" in description


def test_uids_are_stable_across_fetches(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner = make_user()
    make_task(owner, title="First", deadline=DEADLINE)
    make_task(owner, title="Second", deadline=DEADLINE)
    path = with_token(owner)

    def uids() -> dict[str, str]:
        return {title: str(event["uid"]) for title, event in events_of(client.get(path)).items()}

    first = uids()
    assert first == uids()
    assert len(set(first.values())) == 2


def test_the_description_is_in_the_owners_language(
    client: TrackerClient, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner = make_user(language="hy")
    make_task(owner, title="Task", deadline=DEADLINE, expected_result="Result")

    event = events_of(client.get(with_token(owner)))["Task"]

    assert "Ակնկալվող արդյունք: Result" in str(event["description"])


def test_the_feed_is_one_query_however_many_tasks(
    app: Flask, make_user: MakeUser, make_task: MakeTask
) -> None:
    owner, colleague = make_user(), make_user()
    for number in range(5):
        make_task(owner, colleague, title=f"Task {number}", deadline=DEADLINE)
    db.session.expire_all()  # nothing already loaded may hide a lazy load
    owner = db.session.get_one(User, owner.id)

    with counted_queries() as statements:
        body = calendar_for(owner, base_url=BASE_URL, timezone="Asia/Yerevan")

    assert len(Calendar.from_ical(body).walk("VEVENT")) == 5
    assert len(statements) == 1, statements


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_an_unknown_token_is_404(client: TrackerClient, make_user: MakeUser) -> None:
    with_token(make_user())
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_an_inactive_users_feed_is_404(client: TrackerClient, make_user: MakeUser) -> None:
    user = make_user()
    path = with_token(user)
    user.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_a_user_creates_renews_and_revokes_the_link_in_settings(
    client: TrackerClient, make_user: MakeUser
) -> None:
    user = make_user()
    client.login(user.email)
    assert "/calendar/" not in client.get("/settings").get_data(as_text=True)

    response = client.submit("/settings/calendar", {"renew": "y"}, page="/settings")
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    first = feed_path(user)
    assert f"{BASE_URL}{first}" in client.get("/settings").get_data(as_text=True)
    assert client.get(first).status_code == 200

    client.submit("/settings/calendar", {"renew": "y"}, page="/settings")
    second = feed_path(user)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.submit("/settings/calendar", {"revoke": "y"}, page="/settings")
    db.session.refresh(user)
    assert user.calendar_token is None
    assert client.get(second).status_code == 404
    assert "/calendar/" not in client.get("/settings").get_data(as_text=True)


def test_changing_the_link_needs_the_csrf_token(client: TrackerClient, make_user: MakeUser) -> None:
    user = make_user()
    path = with_token(user)
    client.login(user.email)

    assert client.post("/settings/calendar", data={"revoke": "y"}).status_code == 400
    assert client.get(path).status_code == 200


def test_changing_the_link_needs_a_login(client: TrackerClient) -> None:
    response = client.submit("/settings/calendar", {"renew": "y"}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
