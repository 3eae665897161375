"""A manager's department calendar (#14 item 6): a second, separately revocable link in
Settings, serving the unfinished deadlines of the manager's department tree (the
dashboard's scope), bounded to a window, on both databases."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from icalendar import Calendar, Event
from werkzeug.test import TestResponse

from tests.conftest import TODAY, Organisation, TrackerClient
from tracker.clock import FixedClock
from tracker.extensions import db
from tracker.feeds import team
from tracker.feeds.services import issue_calendar_token
from tracker.feeds.team import (
    TEAM_AHEAD_DAYS,
    TEAM_PAST_DAYS,
    renew_team_calendar_token,
    team_calendar_for,
    team_summary,
)
from tracker.models import Absence, Role, Task, TaskStatus, User

MakeUser = Callable[..., User]
MakeTask = Callable[..., Task]

BASE_URL = "http://tracker.test"  # TestingConfig.TRACKER_BASE_URL
SOON = TODAY + timedelta(days=10)
CHOICE = "Include my department's deadlines"


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """Every test on SQLite and on PostgreSQL: the feed's scope is a recursive query."""
    return any_database_app


def team_path(user: User) -> str:
    db.session.refresh(user)
    assert user.team_calendar_token is not None
    return f"/calendar/team/{user.team_calendar_token}.ics"


def with_team_token(user: User) -> str:
    renew_team_calendar_token(user)
    db.session.commit()
    return team_path(user)


def settings_page(client: TrackerClient) -> str:
    return html.unescape(client.get("/settings").get_data(as_text=True))


def calendar_of(response: TestResponse) -> Calendar:
    assert response.status_code == 200, response.status
    return Calendar.from_ical(response.data)


def events_of(response: TestResponse) -> dict[str, Event]:
    return {
        str(event["summary"]): event
        for event in calendar_of(response).walk("VEVENT")
        if isinstance(event, Event)
    }


# --- What the feed holds --------------------------------------------------------------------


def test_the_feed_holds_exactly_the_unfinished_deadlines_of_the_tree(
    client: TrackerClient,
    clock: FixedClock,
    org: Organisation,
    make_user: MakeUser,
    make_task: MakeTask,
) -> None:
    planner = make_user(Role.OFFICER, department=org.development, name="Gor Planner")
    make_task(planner, title="Development plan", deadline=SOON)  # the manager's department
    make_task(org.officer, title="Portal", deadline=SOON, status=TaskStatus.IN_PROGRESS)
    make_task(org.officer, title="Late memo", deadline=TODAY - timedelta(days=30))
    shared = make_task(org.officer, org.other_officer, title="Shared", deadline=SOON)
    make_task(org.other_officer, title="Youth forum", deadline=SOON)  # another department
    make_task(org.officer, title="Draft", deadline=SOON, status=TaskStatus.DRAFT)
    make_task(org.officer, title="Done", deadline=SOON, status=TaskStatus.DONE)
    make_task(org.officer, title="Cancelled", deadline=SOON, status=TaskStatus.CANCELLED)
    make_task(org.officer, title="No deadline")

    response = client.get(with_team_token(org.manager))  # never signed in

    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    calendar = calendar_of(response)
    assert str(calendar["x-wr-calname"]) == "Follow-up Tracker: my departments"
    assert str(calendar["x-wr-timezone"]) == "Asia/Yerevan"
    assert "90 days" in str(calendar["x-wr-caldesc"])
    assert set(events_of(response)) == {
        "Development plan (Gor Planner)",
        "Portal (Ani Officer)",
        "Late memo (Ani Officer)",
        "Shared (Ani Officer, Lilit Officer)",
    }
    event = events_of(response)["Shared (Ani Officer, Lilit Officer)"]
    assert event.decoded("dtstart") == SOON and event["dtstart"].params["VALUE"] == "DATE"
    assert event.decoded("dtend") == SOON + timedelta(days=1)
    # Its own UID: a manager subscribed to both feeds sees the two events apart.
    assert str(event["uid"]) == f"team-task-{shared.id}@tracker.test"
    assert str(event["url"]) == f"{BASE_URL}/tasks/{shared.id}"
    description = str(event["description"]).splitlines()
    assert description[0] == "Owners: Ani Officer, Lilit Officer"
    assert description[-1] == f"Open the task: {BASE_URL}/tasks/{shared.id}"


def test_the_feed_is_bounded_to_a_window_around_today(
    client: TrackerClient, clock: FixedClock, org: Organisation, make_task: MakeTask
) -> None:
    oldest = TODAY - timedelta(days=TEAM_PAST_DAYS)
    furthest = TODAY + timedelta(days=TEAM_AHEAD_DAYS)
    for title, deadline in [
        ("Too old", oldest - timedelta(days=1)),
        ("Oldest", oldest),
        ("Yesterday", TODAY - timedelta(days=1)),
        ("Today", TODAY),
        ("Furthest", furthest),
        ("Too far", furthest + timedelta(days=1)),
    ]:
        make_task(org.officer, title=title, deadline=deadline)

    events = events_of(client.get(with_team_token(org.manager)))

    assert {summary.split(" (")[0] for summary in events} == {
        "Oldest",
        "Yesterday",
        "Today",
        "Furthest",
    }


def test_a_substitute_manager_also_gets_the_absent_managers_tree(
    client: TrackerClient, clock: FixedClock, org: Organisation, make_task: MakeTask
) -> None:
    make_task(org.other_officer, title="Youth forum", deadline=SOON)
    make_task(org.officer, title="Portal", deadline=SOON)
    absence = Absence(
        user_id=org.manager.id,
        substitute_id=org.other_manager.id,
        starts_on=TODAY - timedelta(days=1),
        ends_on=TODAY + timedelta(days=5),
    )
    db.session.add(absence)
    db.session.commit()

    events = events_of(client.get(with_team_token(org.other_manager)))

    # The fixture's "Youth exchange" (Cooperation) is 46 days overdue: in the window too.
    assert set(events) == {
        "Youth forum (Lilit Officer)",
        "Youth exchange (Lilit Officer)",
        "Portal (Ani Officer)",
    }


def test_over_the_cap_the_most_recent_past_and_the_soonest_coming_deadlines_stay(
    client: TrackerClient,
    clock: FixedClock,
    org: Organisation,
    make_task: MakeTask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(team, "TEAM_MAX_EVENTS", 3)
    monkeypatch.setattr(team, "TEAM_MAX_PAST", 1)
    org.other_task.status = TaskStatus.CANCELLED  # only this test's tasks in the window
    for days in (-20, -2, 1, 5, 9, 30):
        make_task(org.officer, title=f"Day {days}", deadline=TODAY + timedelta(days=days))

    events = events_of(client.get(with_team_token(org.manager)))

    assert {summary.split(" (")[0] for summary in events} == {"Day -2", "Day 1", "Day 5"}


def test_the_feed_takes_the_same_number_of_queries_however_many_tasks(
    app: Flask, clock: FixedClock, org: Organisation, make_task: MakeTask
) -> None:
    def statements_for_the_feed() -> int:
        db.session.expire_all()  # nothing already loaded may hide a lazy load
        manager = db.session.get_one(User, org.manager.id)
        with counted_queries() as statements:
            body = team_calendar_for(
                manager, base_url=BASE_URL, timezone="Asia/Yerevan", today=TODAY
            )
        assert Calendar.from_ical(body).walk("VEVENT")
        return len(statements)

    make_task(org.officer, title="First", deadline=SOON)
    few = statements_for_the_feed()
    for number in range(8):
        make_task(org.officer, org.other_officer, title=f"More {number}", deadline=SOON)

    assert statements_for_the_feed() == few


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


@pytest.mark.parametrize(
    ("language", "summary", "owners_line", "name"),
    [
        (
            "en",
            "[Awaiting acceptance] Bridge report (Ani Officer)",
            "Owners: Ani Officer",
            "Follow-up Tracker: my departments",
        ),
        (
            "hy",
            "[Սպասում է ընդունման] Bridge report (Ani Officer)",
            "Պատասխանատուներ: Ani Officer",
            "Առաջարկությունների կատարման հսկողություն․ իմ ստորաբաժանումները",
        ),
    ],
)
def test_the_labels_are_in_the_managers_language(
    client: TrackerClient,
    clock: FixedClock,
    org: Organisation,
    make_task: MakeTask,
    language: str,
    summary: str,
    owners_line: str,
    name: str,
) -> None:
    org.manager.language = language
    make_task(org.officer, title="Bridge report", deadline=SOON, expected_result="Signed")
    org.task.status = TaskStatus.CANCELLED  # the fixture's own task is not in the window
    bridge = db.session.scalars(sa.select(Task).where(Task.title == "Bridge report")).one()
    bridge.status = TaskStatus.AWAITING_ACCEPTANCE
    db.session.commit()

    response = client.get(with_team_token(org.manager))

    assert str(calendar_of(response)["x-wr-calname"]) == name
    (event,) = events_of(response).values()
    assert str(event["summary"]) == summary
    assert str(event["description"]).splitlines()[0] == owners_line


# --- Who may open it --------------------------------------------------------------------------


def test_a_demoted_managers_link_is_404(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    path = with_team_token(org.manager)
    assert client.get(path).status_code == 200

    org.manager.role = Role.OFFICER
    db.session.commit()

    assert client.get(path).status_code == 404


def test_a_deactivated_managers_link_is_404(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    path = with_team_token(org.manager)
    org.manager.active = False
    db.session.commit()

    assert client.get(path).status_code == 404


def test_an_unknown_token_is_404_and_the_personal_token_does_not_open_it(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    issue_calendar_token(org.manager)
    db.session.commit()

    assert client.get(f"/calendar/team/{org.manager.calendar_token}.ics").status_code == 404
    assert client.get("/calendar/team/not-a-token.ics").status_code == 404


# --- The choice in Settings -------------------------------------------------------------------


def test_a_manager_creates_renews_and_revokes_the_link_apart_from_the_personal_one(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    manager = org.manager
    personal = f"/calendar/{issue_calendar_token(manager)}.ics"
    db.session.commit()
    client.login(manager.email)
    page = settings_page(client)
    assert CHOICE in page and "/calendar/team/" not in page

    response = client.submit("/settings/calendar/team", {"team_renew": "y"}, page="/settings")
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    first = team_path(manager)
    assert f"{BASE_URL}{first}" in settings_page(client)
    assert client.get(first).status_code == 200

    client.submit("/settings/calendar/team", {"team_renew": "y"}, page="/settings")
    second = team_path(manager)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.submit("/settings/calendar/team", {"team_revoke": "y"}, page="/settings")
    db.session.refresh(manager)
    assert manager.team_calendar_token is None
    assert client.get(second).status_code == 404
    assert "/calendar/team/" not in settings_page(client)
    # The personal link lived through all of it.
    assert manager.calendar_token is not None
    assert client.get(personal).status_code == 200


def test_revoking_the_personal_link_leaves_the_department_link(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    issue_calendar_token(org.manager)
    team = with_team_token(org.manager)
    client.login(org.manager.email)

    client.submit("/settings/calendar", {"revoke": "y"}, page="/settings")

    db.session.refresh(org.manager)
    assert org.manager.calendar_token is None
    assert client.get(team).status_code == 200


@pytest.mark.parametrize("role", ["officer", "staff", "admin"])
def test_who_does_not_manage_a_department_gets_no_choice_and_a_forged_post_is_refused(
    client: TrackerClient, clock: FixedClock, org: Organisation, role: str
) -> None:
    user = org.user(role)
    client.login(user.email)
    page = settings_page(client)
    assert CHOICE not in page and "team-calendar" not in page

    response = client.submit("/settings/calendar/team", {"team_renew": "y"}, page="/settings")

    assert response.status_code == 403
    db.session.refresh(user)
    assert user.team_calendar_token is None


def test_a_manager_without_a_department_gets_no_choice(
    client: TrackerClient, clock: FixedClock, make_user: MakeUser
) -> None:
    manager = make_user(Role.MANAGER)
    client.login(manager.email)
    assert CHOICE not in settings_page(client)
    response = client.submit("/settings/calendar/team", {"team_renew": "y"}, page="/settings")
    assert response.status_code == 403


def test_the_choice_speaks_armenian(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    org.manager.language = "hy"
    db.session.commit()
    client.login(org.manager.email)

    page = settings_page(client)

    assert "Ստորաբաժանման օրացույց" in page
    assert "Ներառել իմ ստորաբաժանման ժամկետները" in page


def test_a_demoted_manager_can_still_revoke_the_dead_link(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    with_team_token(org.manager)
    org.manager.role = Role.OFFICER
    db.session.commit()
    client.login(org.manager.email)

    page = settings_page(client)
    assert "team_revoke" in page and "team_renew" not in page
    client.submit("/settings/calendar/team", {"team_revoke": "y"}, page="/settings")

    db.session.refresh(org.manager)
    assert org.manager.team_calendar_token is None


def test_changing_the_link_needs_the_csrf_token(
    client: TrackerClient, clock: FixedClock, org: Organisation
) -> None:
    path = with_team_token(org.manager)
    client.login(org.manager.email)

    assert client.post("/settings/calendar/team", data={"team_revoke": "y"}).status_code == 400
    assert client.get(path).status_code == 200


def test_changing_the_link_needs_a_login(client: TrackerClient) -> None:
    response = client.submit("/settings/calendar/team", {"team_renew": "y"}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- Pure ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        ([], "Concept"),
        (["Ani"], "Concept (Ani)"),
        (["Ani", "Karen"], "Concept (Ani, Karen)"),
    ],
)
def test_the_title_names_the_owners(owners: list[str], expected: str) -> None:
    assert team_summary("Concept", owners) == expected


def test_the_window_constants_are_what_the_settings_page_says() -> None:
    assert (TEAM_PAST_DAYS, TEAM_AHEAD_DAYS) == (90, 365)
