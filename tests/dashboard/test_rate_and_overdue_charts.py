"""The share done on time and the overdue-by-department chart, read from the page's numbers.

Each test has a non-zero answer that a broken figure cannot produce by accident: a rate of
0% and an empty chart are what a numerator forced to 0 and a query returning nothing show.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import pytest

from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import Role, TaskStatus
from tracker.tasks.services import mark_done


@pytest.fixture(autouse=True)
def done_at_once(app):
    """An owner's "mark done" closes the task here, as before verification of completion
    (tests/tasks/test_verification.py covers the wait for acceptance)."""
    app.config["TRACKER_REQUIRE_ACCEPTANCE"] = False


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)"><span class="number">([^<]+)', html))


def rate_parts(html: str) -> tuple[str, str]:
    """The rate's two numbers, done on time and due: each a link to its tasks."""
    found = dict(re.findall(r'data-figure="(done-on-time|due)" data-count="(\d+)"', html))
    return found["done-on-time"], found["due"]


def chart(html: str, heading: str) -> list[tuple[str, int]]:
    """The (label, value) bars of the chart under the heading, in their order."""
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(<svg .*?</svg>)", html, re.DOTALL)
    assert match, f"no chart under {heading!r}"
    bars = re.findall(
        r"<title>([^<]*)</title>[^<]*</text><rect [^>]*></rect><text [^>]*>(\d+)<", match.group(1)
    )
    return [(label, int(value)) for label, value in bars]


def noon_utc(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def test_the_rate_counts_tasks_done_by_their_deadline(client, make_user, make_task) -> None:
    staff = make_user(Role.STAFF)
    owner = make_user()
    today = org_today()
    early = make_task(owner, deadline=today - timedelta(days=10))
    mark_done(early, owner, "Before the deadline.", now=noon_utc(today - timedelta(days=12)))
    on_the_day = make_task(owner, deadline=today - timedelta(days=20))
    mark_done(on_the_day, owner, "On the day.", now=noon_utc(today - timedelta(days=20)))
    late = make_task(owner, deadline=today - timedelta(days=30))
    mark_done(late, owner, "A day late.", now=noon_utc(today - timedelta(days=29)))
    make_task(owner, deadline=today - timedelta(days=2))  # due, not done
    make_task(owner, deadline=today - timedelta(days=5), status=TaskStatus.CANCELLED)
    not_yet_due = make_task(owner, deadline=today + timedelta(days=3))
    mark_done(not_yet_due, owner, "Early, but not due yet.")
    db.session.commit()

    client.login(staff.email)
    html = client.get("/dashboard?status=all").get_data(as_text=True)

    # Due: four (the cancelled and the not yet due aside); on time: the early and the on-the-day.
    assert rate_parts(html) == ("2", "4")
    assert figures(html)["rate"] == "50%"


def test_the_rate_is_a_dash_when_nothing_is_due(client, make_user, make_task) -> None:
    staff = make_user(Role.STAFF)
    make_task(make_user(), deadline=org_today() + timedelta(days=3))
    client.login(staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert figures(html)["rate"] == "—"
    assert rate_parts(html) == ("0", "0")


def test_overdue_by_department_and_by_owner_count_each_departments_late_work(
    client, make_department, make_user, make_task
) -> None:
    root = make_department("Ministry")
    development = make_department("Development", parent=root)
    digital = make_department("Digital", parent=development)
    cooperation = make_department("Cooperation", parent=root)
    ani = make_user(department=digital, name="Ani")
    lilit = make_user(department=cooperation, name="Lilit")
    manager = make_user(Role.MANAGER, department=development)
    staff = make_user(Role.STAFF, department=root)
    today = org_today()
    for days in (1, 10, 40):
        make_task(ani, deadline=today - timedelta(days=days))
    make_task(lilit, deadline=today - timedelta(days=3))
    make_task(lilit, deadline=today + timedelta(days=3))  # open, not overdue
    make_task(lilit, deadline=today - timedelta(days=9), status=TaskStatus.DONE)
    make_task(lilit, deadline=today - timedelta(days=8), status=TaskStatus.CANCELLED)
    db.session.commit()

    client.login(staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert chart(html, "Overdue tasks by department") == [("Digital", 3), ("Cooperation", 1)]
    assert chart(html, "Overdue tasks by owner") == [("Ani", 3), ("Lilit", 1)]
    narrowed = client.get(f"/dashboard?department={cooperation.id}").get_data(as_text=True)
    assert chart(narrowed, "Overdue tasks by department") == [("Cooperation", 1)]

    client.submit("/logout", {}, page="/tasks")
    client.login(manager.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert chart(html, "Overdue tasks by department") == [("Digital", 3)]
    assert chart(html, "Overdue tasks by owner") == [("Ani", 3)]


def bar_links(html: str, heading: str) -> list[str]:
    """The addresses the bars of the chart under the heading open, in their order."""
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(<svg .*?</svg>)", html, re.DOTALL)
    assert match, f"no chart under {heading!r}"
    return [
        unescape(href) for href in re.findall(r'<a href="([^"]*)" class="bar">', match.group(1))
    ]


def listed(client, address: str) -> set[int]:
    html = client.get(address).get_data(as_text=True)
    return {int(task_id) for task_id in re.findall(r'data-task-id="(\d+)"', html)}


def test_each_bar_opens_the_overdue_list_behind_it(
    client, make_department, make_user, make_task
) -> None:
    root = make_department("Ministry")
    digital = make_department("Digital", parent=root)
    cooperation = make_department("Cooperation", parent=root)
    ani = make_user(department=digital, name="Ani")
    lilit = make_user(department=cooperation, name="Lilit")
    staff = make_user(Role.STAFF, department=root)
    today = org_today()
    late = {days: make_task(ani, deadline=today - timedelta(days=days)) for days in (1, 10, 40)}
    lilits = make_task(lilit, deadline=today - timedelta(days=100))
    make_task(lilit, deadline=today + timedelta(days=3))  # open, not overdue
    db.session.commit()

    client.login(staff.email)
    html = client.get("/dashboard?report=&sort=title&page=1").get_data(as_text=True)
    by_department = bar_links(html, "Overdue tasks by department")
    assert len(by_department) == 2 and all(link.endswith("#list") for link in by_department)
    assert f"department={digital.id}" in by_department[0] and "page=" not in by_department[0]
    assert "sort=title" in by_department[0]  # the other filters and the order are kept
    assert listed(client, by_department[0]) == {task.id for task in late.values()}
    assert listed(client, by_department[1]) == {lilits.id}
    by_owner = bar_links(html, "Overdue tasks by owner")
    assert listed(client, by_owner[1]) == {lilits.id}
    aging = bar_links(html, "Days overdue")
    assert [listed(client, link) for link in aging] == [
        {late[1].id},
        {late[10].id},
        {late[40].id},
        {lilits.id},
    ]
