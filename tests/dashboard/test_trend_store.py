"""The trends' closed months kept (tracker/dashboard/trend_store.py): each scope's figures
at a month's end, written once and read by the dashboard instead of the replay, on both
databases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker.dashboard import trends
from tracker.dashboard.services import Filters
from tracker.dashboard.trend_store import closed_months, keep_closed_months
from tracker.dashboard.trends import (
    _month_days,
    _Tallies,
    monthly_trend,
    snapshot_counts,
    stored_scope,
    tally_scope,
)
from tracker.extensions import db
from tracker.models import Role, Task, TaskStatus, TrendMonth, User
from tracker.notifications import scheduling
from tracker.tasks.changes import reopen
from tracker.tasks.permissions import departments_below, of_departments
from tracker.tasks.services import cancel, change_deadline, create_task, mark_done

ZONE = "Asia/Yerevan"
COLUMNS = (
    "recommendations",
    "cancelled",
    "done_on_time",
    "done_late",
    "open",
    "overdue",
    "awaiting_acceptance",
)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    any_database_app.config["TRACKER_TIMEZONE"] = ZONE
    return any_database_app


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class History:
    moved_done_late_reopened: Task
    late: Task
    done_on_time: Task
    shared_in_one_tree: Task
    developer: User


@pytest.fixture
def history(clock, org, make_user) -> History:
    """Tasks of the Development tree (Development and Digital below it) and Cooperation's,
    each with a past, on the clock's day (2026-06-15)."""
    manager, officer = org.manager, org.officer
    developer = make_user(Role.OFFICER, department=org.development, name="Gor Developer")

    def made(title: str, deadline: date, when: datetime, owners: Sequence[User]) -> Task:
        return create_task(title, list(owners), actor=manager, deadline=deadline, now=when)

    a = made("Moved, done late, reopened", date(2026, 2, 28), at(1, 10), [officer])
    b = made("Late since February", date(2026, 2, 15), at(1, 15), [officer])
    c = made("Done on time", date(2026, 3, 15), at(2, 1), [officer])
    d = made("Cancelled in March", date(2026, 5, 1), at(2, 5), [officer])
    made("New in April", date(2026, 6, 30), at(4, 10), [officer])
    made("Cooperation's", date(2026, 2, 10), at(1, 20), [org.other_officer])
    shared = made("Development and Digital's", date(2026, 3, 1), at(1, 12), [officer, developer])
    db.session.flush()
    change_deadline(a, manager, date(2026, 3, 31), "More time", now=at(2, 20))
    mark_done(c, manager, "Done", now=at(3, 10))
    cancel(d, manager, "No longer needed", now=at(3, 20))
    mark_done(a, manager, "Done at last", now=at(4, 5))  # late: its deadline was 31 March
    reopen(a, manager, "Not really done", now=at(5, 10))
    db.session.commit()
    return History(a, b, c, shared, developer)


def kept_rows() -> dict[tuple[str, date], tuple[int, ...]]:
    columns = [getattr(TrendMonth, name) for name in COLUMNS]
    query = select(TrendMonth.scope, TrendMonth.month, *columns)
    return {(row[0], row[1]): tuple(row[2:]) for row in db.session.execute(query)}


def replayed(scope: list[Any], days: Sequence[date]) -> list[list[int]]:
    """Every task of `scope` replayed to each day's end, none counted by the database."""
    tallies = _Tallies(days, ())
    tally_scope(tallies, scope, ZONE, by_department=False, replay_all=True)
    return tallies.total


def test_kept_figures_are_the_replay_of_every_scope_and_month(clock, history, org) -> None:
    assert keep_closed_months(clock.day, ZONE) == 11
    db.session.commit()
    months = closed_months(clock.day)
    assert [first for first, _last in months] == [
        first for first, _l in _month_days(clock.day, 12)
    ][:11]
    days = [last for _first, last in months]
    not_draft = Task.status != TaskStatus.DRAFT
    root = org.development.parent_id
    departments = [root, org.development.id, org.digital.id, org.cooperation.id]
    scopes: dict[str, list[Any]] = {"all": [not_draft]}
    for id_ in departments:
        scopes[f"department:{id_}"] = [not_draft, of_departments([id_])]
        scopes[f"tree:{id_}"] = [not_draft, of_departments(departments_below([id_]))]
    rows = kept_rows()
    for scope, clauses in scopes.items():
        expected = replayed(clauses, days)
        for index, (first, _last) in enumerate(months):
            found = rows.get((scope, first), (0,) * 7)
            assert list(found) == expected[index], (scope, first)
    february = date(2026, 2, 1)
    # The shared task counts in both departments, once in their tree and once in the total.
    assert rows[(f"department:{org.development.id}", february)][0] == 1
    assert rows[(f"department:{org.digital.id}", february)][0] == 5
    assert rows[(f"tree:{org.development.id}", february)][0] == 5
    assert rows[(f"tree:{root}", february)][0] == rows[("all", february)][0] == 6
    # February: b overdue (15th); the moved one not yet; the shared one due 1 March.
    assert rows[(f"tree:{org.development.id}", february)][COLUMNS.index("overdue")] == 1
    # April: the moved one done late.
    april = rows[(f"tree:{org.development.id}", date(2026, 4, 1))]
    assert april[COLUMNS.index("done_late")] == 1 and april[COLUMNS.index("done_on_time")] == 1


def test_a_rerun_keeps_nothing_twice(clock, history) -> None:
    assert keep_closed_months(clock.day, ZONE) == 11
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(TrendMonth))
    assert keep_closed_months(clock.day, ZONE) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TrendMonth)) == count
    # A month closed since is added, the others stay.
    clock.set(date(2026, 7, 2))
    assert keep_closed_months(clock.day, ZONE) == 1
    db.session.commit()
    months = set(db.session.scalars(select(TrendMonth.month).where(TrendMonth.scope == "all")))
    assert min(months) == date(2025, 7, 1) and max(months) == date(2026, 6, 1)


def overdue_by_month(html: str) -> dict[str, str]:
    chart = re.search(r'<svg[^>]*class="chart trend-chart">.*?</svg>', html, re.S)
    assert chart is not None
    return dict(re.findall(r'data-month="([\d-]+)" data-overdue="(\d+)"', chart.group(0)))


def test_a_kept_month_stays_as_it_was(client, clock, history, org) -> None:
    keep_closed_months(clock.day, ZONE)
    db.session.commit()
    before = kept_rows()
    # Later: the officer moves to Cooperation, the task done on time is reopened.
    org.officer.department = org.cooperation
    reopen(history.done_on_time, org.admin, "Not done after all")
    db.session.commit()
    assert keep_closed_months(clock.day, ZONE) == 0
    db.session.commit()
    assert kept_rows() == before
    # Replayed now, Digital's February would have no overdue task (its officer's tasks
    # follow him to Cooperation); the kept month shows what was true then.
    digital = Filters(department_id=org.digital.id)
    assert stored_scope(org.staff, digital) == f"tree:{org.digital.id}"
    replayed_now = trends._replayed_trend(
        org.staff, digital, clock.day, ZONE, _month_days(clock.day, 12)
    )
    assert replayed_now.total[7].month == date(2026, 2, 1) and replayed_now.total[7].overdue == 0
    client.login(org.staff.email)
    html = client.get(f"/dashboard?department={org.digital.id}").get_data(as_text=True)
    overdue = overdue_by_month(html)
    assert overdue["2026-02-01"] == "1"
    # March: the reopened task counted done then, as kept.
    march = monthly_trend(org.staff, digital, clock.day, ZONE).total[8]
    assert (march.month, march.done) == (date(2026, 3, 1), 1)


def test_the_dashboard_reads_the_kept_months(client, clock, history, org, monkeypatch) -> None:
    keep_closed_months(clock.day, ZONE)
    db.session.commit()

    def no_replay(*args: object, **kwargs: object) -> None:
        raise AssertionError("replayed")

    monkeypatch.setattr(trends, "_tally", no_replay)
    client.login(org.staff.email)
    overdue = overdue_by_month(client.get("/dashboard").get_data(as_text=True))
    assert len(overdue) == 12
    # February: b and Cooperation's; June (today): a, b, the shared one, the two `org` tasks
    # overdue and Cooperation's.
    assert overdue["2026-02-01"] == "2" and overdue["2026-06-01"] == "6"
    client.submit("/logout", {}, page="/dashboard")
    client.login(org.manager.email)  # one tree: Development's
    assert stored_scope(org.manager, Filters()) == f"tree:{org.development.id}"
    html = client.get("/dashboard").get_data(as_text=True)
    assert overdue_by_month(html)["2026-02-01"] == "1"
    html = client.get("/dashboard/trends").get_data(as_text=True)
    assert overdue_by_month(html)["2026-02-01"] == "1"
    rows = re.findall(r'<tr data-department-id="(\d+)">', html)
    assert rows == [str(org.development.id), str(org.digital.id)]
    # The progress report's previous period: the end of May, kept.
    may = snapshot_counts(org.manager, Filters(), date(2026, 5, 31), ZONE)
    assert (may.recommendations, may.done_on_time, may.cancelled) == (6, 1, 1)


def test_the_current_month_is_today_as_the_replay_counts_it(clock, history, org) -> None:
    keep_closed_months(clock.day, ZONE)
    db.session.commit()
    for user in (org.staff, org.manager, org.other_manager):
        kept = monthly_trend(user, Filters(), clock.day, ZONE)
        replay = trends._replayed_trend(
            user, Filters(), clock.day, ZONE, _month_days(clock.day, 12)
        )
        assert kept == replay


def test_other_scopes_and_missing_months_are_replayed(clock, history, org, monkeypatch) -> None:
    keep_closed_months(clock.day, ZONE)
    db.session.commit()
    replayed_days: list[list[date]] = []
    real = trends._tally

    def spy(*args: Any, **kwargs: Any) -> Any:
        replayed_days.append(list(args[4]))
        return real(*args, **kwargs)

    monkeypatch.setattr(trends, "_tally", spy)
    by_owner = Filters(owner_id=org.officer.id)
    assert stored_scope(org.staff, by_owner) is None
    trend = monthly_trend(org.staff, by_owner, clock.day, ZONE)
    assert len(replayed_days) == 1 and len(replayed_days[0]) == 12
    assert trend.total[7].overdue == 1  # February: b (Cooperation's is not the officer's)
    # A month not kept: only it is replayed.
    replayed_days.clear()
    db.session.query(TrendMonth).filter(TrendMonth.month == date(2026, 3, 1)).delete()
    db.session.commit()
    everyone = monthly_trend(org.staff, Filters(), clock.day, ZONE)
    assert replayed_days == [[date(2026, 3, 31)]]
    expected = trends._replayed_trend(
        org.staff, Filters(), clock.day, ZONE, _month_days(clock.day, 12)
    )
    assert everyone == expected


def test_the_command_keeps_the_months(clock, history, runner) -> None:
    early = runner.invoke(args=["trends", "keep", "--as-of", "2026-03-10"])
    assert early.exit_code == 0, early.output
    assert "2026-03-10: 11 month(s) kept." in early.output
    assert max(db.session.scalars(select(TrendMonth.month))) == date(2026, 2, 1)
    now = runner.invoke(args=["trends", "keep"])
    assert now.exit_code == 0, now.output
    assert "2026-06-15: 3 month(s) kept." in now.output
    again = runner.invoke(args=["trends", "keep"])
    assert "0 month(s) kept." in again.output
    bad = runner.invoke(args=["trends", "keep", "--as-of", "soon"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    later = runner.invoke(args=["trends", "keep", "--as-of", "2026-06-16"])
    assert later.exit_code == 2 and "is after today" in later.output


def test_the_scheduler_keeps_them_each_day(app, clock, history) -> None:
    assert db.session.scalar(select(func.count()).select_from(TrendMonth)) == 0
    scheduling.plan_today(lambda: clock.day)
    db.session.remove()
    months = set(db.session.scalars(select(TrendMonth.month).where(TrendMonth.scope == "all")))
    assert len(months) == 11 and max(months) == date(2026, 5, 1)
