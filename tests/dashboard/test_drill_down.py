"""Drill-down (#14 point 3): every figure, bar and bucket of the dashboard is a link to the
dashboard's list filtered to exactly the tasks it counts.

The dashboard is rendered for an admin and a manager, without filters and with each kind
of filter (and from a chart's bar page); every link that carries a number (the figures'
and the progress table's `data-count`, the charts' bars and their value) is followed, and
the list it opens must hold that many tasks. On SQLite and PostgreSQL, with data where
every figure is non-zero and the headline figures differ from one another: an admin
without filters has the whole organisation's figures (counted by index ranges), any
other view the one-pass figures, so both paths are checked against the list.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from tests.conftest import TODAY, TrackerClient
from tracker.dashboard import forms, services
from tracker.extensions import db
from tracker.models import (
    Department,
    Report,
    Role,
    Task,
    TaskStatus,
    User,
)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    return any_database_app


@dataclass
class Office:
    north: Department
    north_unit: Department
    south: Department
    admin: User
    manager: User  # of the North (and the North unit below it)
    ani: User  # North unit
    bob: User  # North
    lilit: User  # South
    report: Report


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def office(clock, make_department, make_user, make_task, make_report) -> Office:
    """The whole organisation's headline figures: open 19, overdue 10 (aging 1, 2, 3, 4),
    awaiting acceptance 7, due in 14 days 6, done this month 9, done on time 5 of 21 due."""
    root = make_department("Administration")
    north = make_department("North", parent=root)
    north_unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    ani = make_user(department=north_unit, name="Ani")
    bob = make_user(department=north, name="Bob")
    lilit = make_user(department=south, name="Lilit")
    report = make_report("Gyumri", created_at=_at(TODAY - timedelta(days=100)))
    owners_cycle = [[ani], [bob], [lilit], [ani, lilit], [ani, bob], []]
    made = 0

    def task(deadline: date | None, status: TaskStatus = TaskStatus.OPEN, **fields) -> Task:
        nonlocal made
        owners = owners_cycle[made % len(owners_cycle)]
        made += 1
        item = make_task(*owners, title=f"Task {made:02d}", deadline=deadline, status=status)
        for name, value in fields.items():
            setattr(item, name, value)
        if not owners:
            item.department_id = north_unit.id  # a task without owners: its own department
        if made % 3 == 0:
            item.report = report
        return item

    def days(number: int) -> date:
        return TODAY + timedelta(days=number)

    # Overdue, by aging bucket: 1 (1-7 days), 2 (8-30), 3 (31-90), 4 (more than 90).
    for late in (3, 10, 30, 31, 60, 90, 91, 120, 200, 400):
        task(days(-late), TaskStatus.IN_PROGRESS if late % 2 else TaskStatus.OPEN)
    for ahead in (0, 1, 5, 9, 13, 14):  # due in the next 14 days (today and the 14th too)
        task(days(ahead), TaskStatus.IN_PROGRESS if ahead == 5 else TaskStatus.OPEN)
    for ahead in (15, 60):  # open, later
        task(days(ahead))
    task(None)  # open, no deadline
    for deadline in (days(-2), days(-40), days(3), days(20), days(30), None, days(1)):
        task(deadline, TaskStatus.AWAITING_ACCEPTANCE, submitted_at=_at(TODAY))  # 2 of them due
    done = TaskStatus.DONE
    for ahead in (3, 10, 20, 30):  # done this month, not yet due
        task(days(ahead), done, completed_at=_at(days(-5)))
    # Done this month and due: on time (3), late (1).
    task(days(-5), done, completed_at=_at(date(2026, 6, 2)))
    task(days(-1), done, completed_at=_at(days(-1), 20))
    task(days(-3), done, completed_at=_at(days(-4)))
    task(days(-10), done, completed_at=_at(days(-2)))
    # Done in May (the organisation's time zone: Yerevan), due: on time (2), late (2).
    task(days(-20), done, completed_at=_at(date(2026, 5, 10)))
    task(days(-14), done, completed_at=_at(date(2026, 5, 31), 19))  # 23:00 in Yerevan
    for deadline in (days(-50), days(-60)):
        task(deadline, done, completed_at=_at(date(2026, 5, 20)))
    # Done late on June 1st in Yerevan (21:00 UTC on May 31): this month, due.
    task(date(2026, 5, 1), done, completed_at=_at(date(2026, 5, 31), 21))
    for deadline in (days(-5), days(-100)):
        task(deadline, TaskStatus.CANCELLED, cancel_reason="Not needed")
    make_task(ani, title="A draft", status=TaskStatus.DRAFT, deadline=days(-9))  # never counted
    admin = make_user(Role.ADMIN, department=root, name="Admin")
    manager = make_user(Role.MANAGER, department=north, name="North Head")
    db.session.commit()
    return Office(north, north_unit, south, admin, manager, ani, bob, lilit, report)


@dataclass(frozen=True)
class Link:
    name: str  # the figure (data-figure), or the bar's chart and label
    href: str
    count: int


class _Links(HTMLParser):
    """The links of a dashboard page that carry a number: `data-count` (figures, the
    progress table), and the charts' bars (an SVG <a class="bar"> ending with its value)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self.bar: dict[str, str] | None = None
        self.texts: list[str] = []
        self.chart = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "svg":
            self.chart = found.get("aria-label", "")
        if tag == "a" and "data-count" in found:
            self.links.append(Link(found["data-figure"], found["href"], int(found["data-count"])))
        elif tag == "a" and found.get("class") == "bar":
            self.bar, self.texts = found, []

    def handle_data(self, data: str) -> None:
        if self.bar is not None:
            self.texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.bar is not None:
            label = f"{self.chart}: {self.texts[0]}"
            self.links.append(Link(label, self.bar["href"], int(self.texts[-1])))
            self.bar = None


def links_of(html: str) -> list[Link]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def list_total(html: str) -> int:
    found = re.search(r'<h2>Tasks <span class="muted small">\((\d+)\)</span></h2>', html)
    assert found, "the page has no task list"
    return int(found.group(1))


def signed_in(app: Flask, user: User) -> TrackerClient:
    app.test_client_class = TrackerClient
    browser: TrackerClient = app.test_client()  # type: ignore[assignment]
    assert browser.login(user.email).status_code == 302
    return browser


def page(browser: TrackerClient, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def check_every_link(browser: TrackerClient, url: str) -> list[Link]:
    """Every numbered link of the dashboard at `url` opens a list of that many tasks."""
    links = links_of(page(browser, url))
    names = {link.name for link in links}
    assert {"open", "overdue", "awaiting-acceptance", "due-soon", "done-this-month"} <= names
    assert {"done-on-time", "due"} <= names
    for link in links:
        assert urlsplit(link.href).fragment == "list", link
        total = list_total(page(browser, link.href))
        assert total == link.count, (url, link)
    return links


def figure(links: list[Link], name: str) -> int:
    [count] = [link.count for link in links if link.name == name]
    return count


HEADLINE = ("open", "overdue", "awaiting-acceptance", "due-soon", "done-this-month")


def test_every_figure_of_the_whole_organisation_opens_its_tasks(app, office) -> None:
    """The admin's unfiltered dashboard: the figures by index ranges, each a list of
    exactly as many tasks; every bar and bucket too."""
    admin = signed_in(app, office.admin)
    links = check_every_link(admin, "/dashboard")
    numbers = [figure(links, name) for name in (*HEADLINE, "done-on-time", "due")]
    assert numbers == [19, 10, 7, 6, 9, 5, 21]  # every figure non-zero, no two alike
    aging = [link.count for link in links if link.name.startswith("Days overdue")]
    assert aging == [1, 2, 3, 4]
    bars = {link.name: link.count for link in links if link.name.startswith("Overdue tasks")}
    # A task of two owners counts in both their departments; a parent department's bar
    # holds its own people's tasks, not those of the department below it.
    assert bars["Overdue tasks by department: North unit"] == 6
    assert bars["Overdue tasks by department: North"] == 3
    assert bars["Overdue tasks by department: South"] == 4
    assert bars["Overdue tasks by owner: Ani"] == 5
    report = {link.name: link.count for link in links if link.name.startswith("report-")}
    assert report == {"report-done": 5, "report-tasks": 13, "report-overdue": 3}


@pytest.mark.parametrize(
    "query",
    [
        "department={north}",
        "department={south}&status=all",
        "owner={ani}",
        "report={report}",
        "deadline_from={early}&deadline_to={late}",
        "department={north}&owner={lilit}",
        "in_department={north}",  # a chart's bar, as its link opens it
        "with_owner={bob}&department={north_unit}",
    ],
)
def test_every_figure_under_filters_opens_its_tasks(app, office, query: str) -> None:
    """With filters, the figures are counted in one pass: each opens its tasks, the filters
    kept (a bar's link narrows them, never replaces them)."""
    admin = signed_in(app, office.admin)
    url = "/dashboard?" + query.format(
        north=office.north.id,
        north_unit=office.north_unit.id,
        south=office.south.id,
        ani=office.ani.id,
        bob=office.bob.id,
        lilit=office.lilit.id,
        report=office.report.id,
        early=TODAY - timedelta(days=45),
        late=TODAY + timedelta(days=10),
    )
    links = check_every_link(admin, url)
    assert figure(links, "open") and figure(links, "due")
    filters = parse_qs(urlsplit(url).query)
    for link in links:
        kept = parse_qs(urlsplit(link.href).query)
        for key, values in filters.items():
            if key not in ("status",) and not (link.name.startswith("report-") and key == "report"):
                assert kept[key][: len(values)] == values, (link, key)  # a bar adds one


@pytest.mark.parametrize("query", ["", "department={north_unit}", "owner={lilit}"])
def test_every_figure_of_a_managers_dashboard_opens_its_tasks(app, office, query) -> None:
    manager = signed_in(app, office.manager)
    url = "/dashboard?" + query.format(north_unit=office.north_unit.id, lilit=office.lilit.id)
    links = check_every_link(manager, url)
    if not query:
        # The North and below: every task with an owner there or its own department there.
        assert figure(links, "overdue") == 8
        bars = [link for link in links if link.name.startswith("Overdue tasks by department")]
        # Lilit's department shows the tasks she shares with the North, and only those.
        south = next(link for link in bars if link.name.endswith("South"))
        assert south.count == 2
        check_every_link(manager, south.href)  # the bar's page: its figures open theirs


def test_a_bars_page_shows_what_narrows_it(app, office) -> None:
    admin = signed_in(app, office.admin)
    html = page(admin, f"/dashboard?in_department={office.north.id}&with_owner={office.bob.id}")
    assert "Narrowed to the charts' bars: North, Bob" in html
    assert "Filters (2)" in html


def test_each_figures_status_filter_is_a_choice_of_the_form() -> None:
    assert [choice.value for choice in forms.STATUS_CHOICES] == list(services.STATUS_FILTERS)


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_both_ways_to_the_figures_agree_with_the_list(app, office, who: str) -> None:
    """The index-range tally (the whole organisation's) and the one-pass tally, and the
    list of each figure's status filter, for the organisation's time zone (a month start
    that is not UTC's)."""
    user = office.admin if who == "admin" else office.manager
    scope = (services._scope(user),)
    month_start = services._month_start_utc(TODAY, "Asia/Yerevan")
    one_pass = services._tally_in_one_pass(scope, TODAY, month_start)
    if who == "admin":
        assert services._tally_by_ranges(scope, TODAY, month_start) == one_pass
    listed = {
        status: services.task_list(
            user,
            services.Filters(status=status),
            TODAY,
            sort="deadline",
            page=1,
            timezone="Asia/Yerevan",
        )[1]
        for status in (*services.FIGURE_STATUSES, "overdue", "awaiting_acceptance")
    }
    assert listed == {
        "active": one_pass.open,
        "due_soon": one_pass.due_soon,
        "done_this_month": one_pass.done_this_month,
        "due": one_pass.due,
        "done_on_time": one_pass.done_on_time,
        "overdue": one_pass.overdue,
        "awaiting_acceptance": one_pass.awaiting,
    }
    aging = [
        services.task_list(user, services.Filters(status=status), TODAY, sort="", page=1)[1]
        for status in services.AGING_STATUSES
    ]
    assert aging == one_pass.aging


def test_two_bars_stay_in_the_sort_paging_and_export_links(app, office) -> None:
    """A page narrowed by two bars keeps both in its other links: sorting, the next page
    and the exports hold the same tasks as its list."""
    admin = signed_in(app, office.admin)
    query = f"status=all&in_department={office.north_unit.id}&with_owner={office.ani.id}"
    query += f"&with_owner={office.lilit.id}"
    html = page(admin, f"/dashboard?{query}")
    total = list_total(html)
    assert total == 7  # the tasks Ani and Lilit share (of 41)
    for link in re.findall(r'href="(/dashboard[^"]*sort=[^"]*)"', html):
        assert list_total(page(admin, link.replace("&amp;", "&"))) == total
    [csv_link] = re.findall(r'href="(/dashboard/export\.csv[^"]*)"', html)
    body = admin.get(csv_link.replace("&amp;", "&")).get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body)))) == total + 1  # and the header
