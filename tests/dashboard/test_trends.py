"""The trends: each month's figures as they stood at its end, rebuilt from a task history
the test writes through the real services at chosen past instants, on both databases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from tracker.dashboard.history import end_of_day
from tracker.dashboard.services import Filters, figures
from tracker.dashboard.trend_quiet import changed_since
from tracker.dashboard.trends import (
    SnapshotCounts,
    Trend,
    TrendPoint,
    _month_days,
    _tally,
    monthly_trend,
    snapshot_counts,
    today_point,
)
from tracker.extensions import db
from tracker.models import EventKind, Task, TaskStatus
from tracker.tasks.changes import reopen
from tracker.tasks.services import (
    add_progress,
    cancel,
    change_deadline,
    create_task,
    mark_done,
    record_event,
)
from tracker.tasks.verification import accept

ZONE = "Asia/Yerevan"


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    """The shared factories, client and clock fixtures, on each migrated database."""
    any_database_app.config["TRACKER_TIMEZONE"] = ZONE
    return any_database_app


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class History:
    moved_done_late_reopened: Task
    late: Task
    done_on_time: Task
    cancelled: Task
    new_in_april: Task
    cooperation: Task


@pytest.fixture
def history(clock, org) -> History:
    """Five tasks of the Digital department (the manager's tree) and one of Cooperation,
    each with a past of its own, on the clock's day (2026-06-15)."""
    manager, officer = org.manager, org.officer

    def made(title: str, deadline: date, when: datetime, owner=officer) -> Task:
        return create_task(title, [owner], actor=manager, deadline=deadline, now=when)

    a = made("Moved, done late, reopened", date(2026, 2, 28), at(1, 10))
    b = made("Late since February", date(2026, 2, 15), at(1, 15))
    c = made("Done on time", date(2026, 3, 15), at(2, 1))
    d = made("Cancelled in March", date(2026, 5, 1), at(2, 5))
    e = made("New in April", date(2026, 6, 30), at(4, 10))
    coop = made("Cooperation's", date(2026, 2, 10), at(1, 20), owner=org.other_officer)
    db.session.flush()
    change_deadline(a, manager, date(2026, 3, 31), "More time", now=at(2, 20))
    mark_done(c, manager, "Done", now=at(3, 10))
    cancel(d, manager, "No longer needed", now=at(3, 20))
    # Done on the 5th of April: after its deadline (31 March, moved from 28 February).
    mark_done(a, manager, "Done at last", now=at(4, 5))
    reopen(a, manager, "Not really done", now=at(5, 10))
    db.session.commit()
    return History(a, b, c, d, e, coop)


def point(trend: Trend, month: int) -> TrendPoint:
    (found,) = [p for p in trend.total if p.month == date(2026, month, 1)]
    return found


def test_each_month_shows_what_was_true_at_its_end(clock, history, org) -> None:
    trend = monthly_trend(org.manager, Filters(), clock.day, ZONE)
    assert [p.month for p in trend.total] == [
        date(2025, 7, 1),
        *(date(2025 + m // 12, m % 12 + 1, 1) for m in range(7, 18)),
    ]
    assert all(p.recommendations == 0 for p in trend.total[:6])  # July to December 2025
    # January: two open tasks, none yet due.
    assert point(trend, 1) == TrendPoint(date(2026, 1, 1), 2, 0, 0, 0)
    # February: the one due on the 15th is overdue; the other's deadline moved to March.
    assert point(trend, 2) == TrendPoint(date(2026, 2, 1), 4, 0, 0, 1)
    # March: one done on time, one cancelled; the moved one is due on the 31st, not late yet.
    assert point(trend, 3) == TrendPoint(date(2026, 3, 1), 4, 1, 1, 1)
    assert point(trend, 3).implementation_rate == pytest.approx(1 / 3)
    # April: the moved one done (late), a new one.
    assert point(trend, 4) == TrendPoint(date(2026, 4, 1), 5, 1, 2, 1)
    assert point(trend, 4).implementation_rate == pytest.approx(2 / 4)
    # May: reopened, and overdue again on its moved deadline; today it is not done.
    assert point(trend, 5) == TrendPoint(date(2026, 5, 1), 5, 1, 1, 2)
    assert history.moved_done_late_reopened.status is TaskStatus.IN_PROGRESS


def test_a_past_day_in_full(clock, history, org) -> None:
    assert snapshot_counts(org.manager, Filters(), date(2026, 4, 30), ZONE) == SnapshotCounts(
        recommendations=5,
        cancelled=1,
        done_on_time=1,
        done_late=1,
        open=2,
        overdue=1,
        awaiting_acceptance=0,
    )
    # The end of the day is the organisation's midnight: done at 10:00 UTC on 5 April.
    assert snapshot_counts(org.manager, Filters(), date(2026, 4, 4), ZONE).done_late == 0
    assert snapshot_counts(org.manager, Filters(), date(2026, 4, 5), ZONE).done_late == 1


def test_the_current_month_agrees_with_the_dashboard(clock, history, org) -> None:
    for user in (org.manager, org.other_manager, org.staff):
        today = snapshot_counts(user, Filters(), clock.day, ZONE)
        headline = figures(user, Filters(), clock.day, ZONE).headline
        assert (today.open, today.overdue, today.awaiting_acceptance) == (
            headline.open,
            headline.overdue,
            headline.awaiting_acceptance,
        )
        assert monthly_trend(user, Filters(), clock.day, ZONE).total[-1].overdue == headline.overdue


def test_a_manager_counts_only_their_tree_and_departments_are_split(clock, history, org) -> None:
    mine = monthly_trend(org.manager, Filters(), clock.day, ZONE)
    theirs = monthly_trend(org.other_manager, Filters(), clock.day, ZONE)
    everyone = monthly_trend(org.staff, Filters(), clock.day, ZONE)
    assert point(theirs, 1) == TrendPoint(date(2026, 1, 1), 1, 0, 0, 0)
    assert point(theirs, 2).overdue == 1
    assert point(everyone, 2) == TrendPoint(date(2026, 2, 1), 5, 0, 0, 2)
    assert [d.name for d in mine.by_department] == ["Digital"]
    assert [d.name for d in theirs.by_department] == ["Cooperation"]
    assert [d.name for d in everyone.by_department] == ["Cooperation", "Digital"]
    digital = everyone.by_department[1]
    assert digital.points == mine.total
    # A department filter narrows the trend as it narrows the dashboard.
    narrowed = monthly_trend(org.staff, Filters(department_id=org.cooperation.id), clock.day, ZONE)
    assert narrowed.total == theirs.total


def test_a_task_with_two_departments_counts_once_in_the_total(clock, history, org) -> None:
    shared = history.late
    shared.owners = [org.officer, org.other_officer]
    db.session.commit()
    everyone = monthly_trend(org.staff, Filters(), clock.day, ZONE)
    assert point(everyone, 2).overdue == 2
    by_name = {d.name: d for d in everyone.by_department}
    assert by_name["Cooperation"].points[7].overdue == 2  # February: its own and the shared
    assert by_name["Digital"].points[7].overdue == 1


def test_the_dashboard_shows_the_trend_as_svg(client, clock, history, org) -> None:
    client.login(org.staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    chart = re.search(r'<svg[^>]*class="chart trend-chart">.*?</svg>', html, re.S)
    assert chart is not None
    svg = chart.group(0)
    assert 'role="img"' in svg and "<title>" in svg and 'viewBox="0 0 340 220"' in svg
    overdue = dict(re.findall(r'data-month="([\d-]+)" data-overdue="(\d+)"', svg))
    assert len(overdue) == 12
    assert overdue["2026-02-01"] == "2" and overdue["2026-05-01"] == "3"
    # The same months as a table; each department's trend on a page of its own, linked.
    april = r'<tr data-month="2026-04-01">\s*<td>[^<]+</td>\s*<td>2</td>\s*<td[^>]*>2 / 5</td>'
    assert re.search(april, html)
    assert html.count('class="chart trend-chart"') == 1
    assert "trend-sparkline" not in html and "data-department-id" not in html
    assert 'href="/dashboard/trends" data-trends-link' in html
    assert "<script" not in svg

    page = client.get("/dashboard/trends").get_data(as_text=True)
    assert page.count('class="chart trend-chart"') == 1
    assert re.search(april, page)
    rows = re.findall(r'<tr data-department-id="(\d+)">', page)
    assert rows == [str(org.cooperation.id), str(org.digital.id)]
    assert page.count('class="chart trend-sparkline"') == 2

    client.submit("/logout", {}, page="/dashboard")
    client.login(org.manager.email)
    page = client.get("/dashboard/trends").get_data(as_text=True)
    assert re.findall(r'<tr data-department-id="(\d+)">', page) == [str(org.digital.id)]


def test_the_dashboard_filters_carry_to_the_trends_page(client, clock, history, org) -> None:
    """Filtered to a department, the dashboard's trend is that department's tree, and its
    link opens the trends page with the same filter (the list's status and page left)."""
    client.login(org.staff.email)
    cooperation = org.cooperation.id
    html = client.get(f"/dashboard?department={cooperation}&status=all&page=1").get_data(
        as_text=True
    )
    drawn = dict(re.findall(r'data-month="([\d-]+)" data-overdue="(\d+)"', html))
    tree = monthly_trend(org.staff, Filters(department_id=cooperation), clock.day, ZONE)
    assert drawn == {point.month.isoformat(): str(point.overdue) for point in tree.total}
    theirs = monthly_trend(org.other_manager, Filters(), clock.day, ZONE)
    assert tree.total == theirs.total  # Cooperation's tree is the other manager's
    link = f'href="/dashboard/trends?department={cooperation}" data-trends-link'
    assert link in html
    page = client.get(f"/dashboard/trends?department={cooperation}").get_data(as_text=True)
    assert re.findall(r'<tr data-department-id="(\d+)">', page) == [str(cooperation)]
    assert f'href="/dashboard?department={cooperation}"' in page


@pytest.mark.parametrize(
    ("role", "status"), [("officer", 403), ("manager", 200), ("staff", 200), ("admin", 200)]
)
def test_the_trends_page_is_for_those_who_see_the_dashboard(
    client, clock, org, role: str, status: int
) -> None:
    user = {"officer": org.officer, "manager": org.manager, "staff": org.staff}.get(role)
    client.login(user.email if user is not None else org.admin.email)
    assert client.get("/dashboard/trends").status_code == status
    assert client.get("/dashboard").status_code == status


def test_the_dashboards_point_for_today_is_its_figures(client, clock, history, org) -> None:
    """The current month's point is the headline figures' counts (no pass of its own):
    the overdue tasks, and the rate's inputs (done, of the recommendations not cancelled)
    as the replay counts them, for the whole organisation (index ranges) and a narrowed
    scope (one pass)."""
    scopes = [
        (org.staff, Filters()),
        (org.manager, Filters()),
        (org.other_manager, Filters()),
        (org.staff, Filters(department_id=org.digital.id)),
        (org.staff, Filters(owner_id=org.officer.id)),
    ]
    for user, filters in scopes:
        computed = figures(user, filters, clock.day, ZONE)
        standing = computed.standing
        assert standing.overdue == computed.headline.overdue
        today = snapshot_counts(user, filters, clock.day, ZONE)
        assert (standing.recommendations, standing.cancelled, standing.done) == (
            today.recommendations,
            today.cancelled,
            today.done,
        )
        assert standing.overdue == today.overdue
        point = today_point(clock.day, standing)
        assert point == monthly_trend(user, filters, clock.day, ZONE).total[-1]
    client.login(org.staff.email)
    html = client.get("/dashboard").get_data(as_text=True)
    june = figures(org.staff, Filters(), clock.day, ZONE).standing
    row = re.search(
        r'<tr data-month="2026-06-01">\s*<td>[^<]+</td>\s*<td>(\d+)</td>\s*<td[^>]*>(\d+) / (\d+)',
        html,
    )
    assert row is not None
    assert tuple(map(int, row.groups())) == (
        june.overdue,
        june.done,
        june.recommendations - june.cancelled,
    )


def test_the_tasks_that_did_not_change_are_counted_as_the_replay_counts_them(
    clock, history, org, make_department, make_user
) -> None:
    """The database counts the quiet tasks in groups (trend_quiet); replaying every task
    gives the same figures, for every month, scope and department."""
    manager, officer, other = org.manager, org.officer, org.other_officer
    old = datetime(2024, 11, 3, 9, tzinfo=UTC)

    def made(title: str, deadline: date | None, owners=(officer,)) -> Task:
        return create_task(title, list(owners), actor=manager, deadline=deadline, now=old)

    made("Open, overdue all along", date(2025, 1, 31))
    made("Open, due in the middle of the window", date(2026, 1, 20))
    made("No deadline", None)
    made("Shared by two departments", date(2025, 12, 31), owners=(officer, other))
    made("Nobody's, its department's", date(2025, 9, 1), owners=())
    on_time = made("Done on time long ago", date(2025, 2, 28))
    mark_done(on_time, manager, "Done", now=at(2, 28, 19).replace(year=2025))
    # 21:00 UTC on its deadline day is the next day in Yerevan: late.
    late = made("Done late long ago, by three hours", date(2025, 2, 28))
    mark_done(late, manager, "Done", now=at(2, 28, 21).replace(year=2025))
    gone = made("Cancelled long ago", date(2025, 3, 1))
    cancel(gone, manager, "Moot", now=datetime(2025, 1, 5, tzinfo=UTC))
    db.session.flush()
    # Older data: done without any event, before the window and during it.
    for title, completed in (
        ("Done before events were kept", datetime(2025, 3, 1, tzinfo=UTC)),
        ("Done in the window, no event", datetime(2026, 2, 10, tzinfo=UTC)),
    ):
        db.session.add(
            Task(
                title=title,
                owners=[officer],
                department=org.digital,
                deadline=date(2025, 12, 1),
                status=TaskStatus.DONE,
                completed_at=completed,
                created_at=old,
            )
        )
    # One change each during the window (counted by the database too), and two (replayed).
    progressed = made("In progress since August", date(2025, 10, 1))
    add_progress(progressed, officer, "Started", now=datetime(2025, 8, 3, tzinfo=UTC))
    waiting = made("Awaiting acceptance since September", date(2025, 12, 1))
    waiting.status = TaskStatus.IN_PROGRESS  # as if it were in progress
    record_event(
        waiting,
        officer,
        EventKind.AWAITING_ACCEPTANCE,
        field="status",
        old="in_progress",
        new="awaiting_acceptance",
        now=datetime(2025, 9, 9, tzinfo=UTC),
    )
    waiting.status = TaskStatus.AWAITING_ACCEPTANCE
    accepted = made("Reported in 2025-06, accepted in October", date(2025, 7, 1))
    record_event(
        accepted,
        officer,
        EventKind.AWAITING_ACCEPTANCE,
        field="status",
        old="open",
        new="awaiting_acceptance",
        now=datetime(2025, 6, 20, tzinfo=UTC),
    )
    accepted.status = TaskStatus.AWAITING_ACCEPTANCE
    accepted.submitted_at = datetime(2025, 6, 20, tzinfo=UTC)
    accept(accepted, manager, now=datetime(2025, 10, 2, tzinfo=UTC))
    done_late = made("Done late in the window", date(2025, 9, 30))
    mark_done(done_late, manager, "Done", now=datetime(2025, 11, 4, tzinfo=UTC))
    draft = create_task(
        "A draft confirmed in the window",
        [officer],
        actor=None,
        deadline=date(2025, 10, 1),
        status=TaskStatus.DRAFT,
        now=old,
    )
    record_event(
        draft,
        None,
        EventKind.CONFIRMED,
        field="status",
        old="draft",
        new="open",
        now=datetime(2025, 9, 1, tzinfo=UTC),
    )
    draft.status = TaskStatus.OPEN
    twice = made("Done and cancelled? No: done, reopened", date(2025, 8, 15))
    mark_done(twice, manager, "Done", now=datetime(2025, 8, 10, tzinfo=UTC))
    reopen(twice, manager, "Not done", now=datetime(2025, 9, 10, tzinfo=UTC))
    db.session.commit()

    for user in (org.staff, org.manager, org.other_manager):
        months = _month_days(clock.day, 12)
        days = [last for _first, last in months]
        mixed = _tally(user, Filters(), clock.day, ZONE, days, by_department=True)
        replayed = _tally(
            user, Filters(), clock.day, ZONE, days, by_department=True, replay_all=True
        )
        assert mixed.total == replayed.total
        assert mixed.by_department == replayed.by_department
    window_start = end_of_day(date(2025, 7, 31), ZONE)
    replayed_titles = set(db.session.scalars(select(Task.title).where(changed_since(window_start))))
    assert replayed_titles == {
        "Moved, done late, reopened",
        "Done in the window, no event",
        "Done and cancelled? No: done, reopened",
    }
    everyone = monthly_trend(org.staff, Filters(), clock.day, ZONE)
    july = everyone.total[0]
    # July 2025: five open (one overdue since January), two done and one cancelled long ago,
    # one done before events were kept, one done in the window without an event (still open
    # then), and five of the one-change and reopened ones (the draft was not confirmed yet);
    # the `history` tasks came in 2026.
    assert (july.recommendations, july.cancelled, july.done, july.overdue) == (15, 1, 3, 1)
    in_july = snapshot_counts(org.staff, Filters(), date(2025, 7, 31), ZONE)
    assert (in_july.awaiting_acceptance, in_july.open) == (1, 10)


def test_the_trends_page_keeps_the_trend_until_a_task_changes(client, clock, history, org) -> None:
    def june_overdue(page: str) -> str:
        html = client.get(page).get_data(as_text=True)
        found = re.search(r'data-month="2026-06-01" data-overdue="(\d+)"', html)
        assert found is not None
        return found.group(1)

    client.login(org.staff.email)
    assert june_overdue("/dashboard/trends") == "5"  # a, b, Cooperation's and the two `org` tasks
    assert june_overdue("/dashboard/trends") == "5"  # kept
    assert june_overdue("/dashboard") == "5"
    cancel(history.late, org.manager, "Moot")  # an event: the trend is made again
    db.session.commit()
    assert june_overdue("/dashboard") == "4"  # today's point: the figures, never kept
    assert june_overdue("/dashboard/trends") == "4"


def test_the_progress_report_links_to_its_departments_trends(client, clock, history, org) -> None:
    client.login(org.staff.email)
    digital = org.digital.id
    html = client.get(f"/reports/progress?kind=department&department={digital}").get_data(
        as_text=True
    )
    link = re.search(r'<a href="([^"]+)" data-trends-link>', html)
    assert link is not None and link.group(1) == f"/dashboard/trends?department={digital}"
    page = client.get(link.group(1)).get_data(as_text=True)
    assert re.findall(r'<tr data-department-id="(\d+)">', page) == [str(digital)]
    everything = client.get("/reports/progress").get_data(as_text=True)
    assert 'href="/dashboard/trends" data-trends-link' in everything
