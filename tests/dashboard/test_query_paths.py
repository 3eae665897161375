"""The dashboard's query paths for a large table (#13 point 3), on SQLite and PostgreSQL:
each must give what the plain definitions give, on a small organisation with every case
the shortcuts could get wrong.

- a manager's scope and a department filter as `tasks.id IN (...)`, and as a probe of the
  overdue range, are the tasks of tracker.tasks.permissions (EXISTS per task), an absent
  manager's departments passing to the substitute;
- the whole organisation's figures (counts of index ranges) equal the one-pass figures;
- both overdue charts from one pass: a task of two owners in one department counts once
  there, a task without owners in its own department, a task with owners never in its own;
- report progress: the newest reports with a task in scope, and only those tasks;
- tasks without an active owner: a deactivated owner's (unless an active co-owner), the
  ownerless, never finished ones or drafts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import TODAY
from tracker.dashboard import services
from tracker.extensions import db
from tracker.models import (
    Absence,
    Department,
    Report,
    ReportStatus,
    Role,
    Task,
    TaskStatus,
    User,
)
from tracker.tasks.permissions import department_subtree_ids, in_departments, managed_by

LATE = TODAY - timedelta(days=10)
LONG_LATE = TODAY - timedelta(days=120)
SOON = TODAY + timedelta(days=5)
LATER = TODAY + timedelta(days=60)


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    return any_database_app


@dataclass
class World:
    root: Department
    north: Department
    north_unit: Department
    south: Department
    people: dict[str, User]
    tasks: dict[str, Task]


def _done(task: Task, completed: date) -> None:
    task.status = TaskStatus.DONE
    task.completed_at = datetime(completed.year, completed.month, completed.day, 9, tzinfo=UTC)


@pytest.fixture
def world(clock, make_department, make_user, make_task) -> World:
    root = make_department("Administration")
    north = make_department("North", parent=root)
    north_unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    people = {
        "ani": make_user(department=north_unit, name="Ani"),
        "aram": make_user(department=north_unit, name="Aram"),
        "lilit": make_user(department=south, name="Lilit"),
        "nairi": make_user(department=north, name="Nairi"),
        "gone": make_user(department=north, name="Gone"),
        "north_head": make_user(Role.MANAGER, department=north, name="North Head"),
        "south_head": make_user(Role.MANAGER, department=south, name="South Head"),
        "staff": make_user(Role.STAFF, department=root, name="Registry"),
    }
    p = people
    tasks = {
        # Two owners in one department: once in North unit, once in each owner's bar.
        "pair": make_task(p["ani"], p["aram"], deadline=LATE),
        # Owners in two departments: a task of each.
        "shared": make_task(p["ani"], p["lilit"], deadline=LONG_LATE),
        # Owned in the South, its own department North (a move): the South's only.
        "moved": make_task(p["lilit"], deadline=LATE),
        "south_soon": make_task(p["lilit"], deadline=SOON),
        "north_later": make_task(p["nairi"], deadline=LATER),
        "in_progress": make_task(p["nairi"], deadline=LATE, status=TaskStatus.IN_PROGRESS),
        # A deactivated owner alone, and with an active co-owner.
        "left_alone": make_task(p["gone"], deadline=LATE),
        "left_with_colleague": make_task(p["gone"], p["nairi"], deadline=LATER),
        "awaiting": make_task(p["aram"], deadline=LATE),
        "done_on_time": make_task(p["ani"], deadline=LATE),
        "done_late": make_task(p["lilit"], deadline=LONG_LATE),
        "cancelled": make_task(p["nairi"], deadline=LATE, status=TaskStatus.CANCELLED),
        "no_deadline": make_task(p["aram"]),
    }
    # Without owners: in their own department.
    for name, deadline, department in (
        ("unowned_north", LATE, north_unit),
        ("unowned_south", SOON, south),
        ("unowned_done", LATE, north),
    ):
        tasks[name] = make_task(deadline=deadline)
        tasks[name].department_id = department.id
    tasks["draft"] = make_task(p["ani"], deadline=LATE, status=TaskStatus.DRAFT)
    tasks["moved"].department_id = north.id
    tasks["awaiting"].status = TaskStatus.AWAITING_ACCEPTANCE
    _done(tasks["done_on_time"], LATE - timedelta(days=1))
    _done(tasks["done_late"], TODAY - timedelta(days=2))
    _done(tasks["unowned_done"], TODAY)
    p["gone"].active = False
    db.session.commit()
    return World(root, north, north_unit, south, people, tasks)


def ids(*conditions: Any) -> set[int]:
    return set(db.session.scalars(select(Task.id).where(*conditions)))


def names_of(world: World, task_ids: set[int]) -> set[str]:
    return {name for name, task in world.tasks.items() if task.id in task_ids}


def reference_scope(user: User) -> set[int]:
    """The tasks of a dashboard by the permissions' own definition (EXISTS per task)."""
    return ids(Task.status != TaskStatus.DRAFT, managed_by(user))


@pytest.mark.parametrize("who", ["north_head", "south_head", "staff"])
@pytest.mark.parametrize("probe", [False, True], ids=["ids", "probe"])
def test_a_scope_is_the_permissions_scope(world: World, who: str, probe: bool) -> None:
    user = world.people[who]
    assert ids(services._scope(user, probe=probe)) == reference_scope(user)


def test_an_absent_managers_departments_pass_to_the_substitute(world: World) -> None:
    north_head, south_head = world.people["north_head"], world.people["south_head"]
    db.session.add(
        Absence(user_id=north_head.id, substitute_id=south_head.id, starts_on=TODAY, ends_on=TODAY)
    )
    db.session.commit()
    both = reference_scope(south_head)
    assert names_of(world, both) >= {"pair", "moved", "left_alone", "unowned_north"}
    for probe in (False, True):
        assert ids(services._scope(south_head, probe=probe)) == both


@pytest.mark.parametrize("department", ["north", "north_unit", "south"])
@pytest.mark.parametrize("probe", [False, True], ids=["ids", "probe"])
def test_a_department_filter_is_its_subtree(world: World, department: str, probe: bool) -> None:
    chosen: Department = getattr(world, department)
    filters = services.Filters(department_id=chosen.id)
    clauses = services._narrowing(world.people["staff"], filters, TODAY, probe=probe)
    assert ids(*clauses) == ids(in_departments(department_subtree_ids(chosen.id)))


def test_the_names_of_the_north(world: World) -> None:
    """What the fixture means: the North's dashboard (North and North unit)."""
    north = names_of(world, reference_scope(world.people["north_head"]))
    assert "moved" not in north  # owned in the South: its own department does not count
    assert {"pair", "shared", "unowned_north", "unowned_done", "left_alone"} <= north
    assert "draft" not in north and "unowned_south" not in north


def deadline_within(task: Task, first: date, last: date) -> bool:
    return task.deadline is not None and first <= task.deadline <= last


def completed_by(task: Task, last: date | None) -> bool:
    return task.completed_at is not None and last is not None and task.completed_at.date() <= last


def is_active(task: Task) -> bool:
    return task.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


def is_due(task: Task) -> bool:
    """Its deadline has passed, and it was not cancelled."""
    late = deadline_within(task, date.min, TODAY - timedelta(days=1))
    return late and task.status is not TaskStatus.CANCELLED


def is_done(task: Task) -> bool:
    return task.status is TaskStatus.DONE


EXPECTED: dict[str, Any] = {
    "open": is_active,
    "overdue": lambda t: t.is_overdue(TODAY),
    "due_soon": lambda t: is_active(t) and deadline_within(t, TODAY, TODAY + timedelta(days=14)),
    "done_this_month": lambda t: (
        is_done(t) and not completed_by(t, TODAY.replace(day=1) - timedelta(days=1))
    ),
    "due": is_due,
    "done_on_time": lambda t: is_done(t) and is_due(t) and completed_by(t, t.deadline),
    "awaiting_acceptance": lambda t: t.status is TaskStatus.AWAITING_ACCEPTANCE,
}


def expected_headline(world: World, task_ids: set[int]) -> services.Headline:
    tasks = [task for task in world.tasks.values() if task.id in task_ids]
    return services.Headline(
        **{figure: len(list(filter(test, tasks))) for figure, test in EXPECTED.items()}
    )


def expected_aging(world: World, task_ids: set[int]) -> list[int]:
    late = [
        task.days_overdue(TODAY)
        for task in world.tasks.values()
        if task.id in task_ids and task.is_overdue(TODAY)
    ]
    return [
        len([days for days in late if low <= days and (high is None or days <= high)])
        for low, high in services.AGING_BUCKETS
    ]


@pytest.mark.parametrize("who", ["north_head", "south_head", "staff"])
def test_the_figures_are_the_plain_counts(world: World, who: str) -> None:
    user = world.people[who]
    for task in world.tasks.values():
        db.session.refresh(task)
    computed = services.figures(user, services.Filters(), TODAY, "UTC")
    assert computed.headline == expected_headline(world, reference_scope(user))
    aging = expected_aging(world, reference_scope(user))
    assert [count for _label, count in computed.aging] == aging
    assert sum(aging) == computed.headline.overdue > 0


def test_the_range_counts_equal_the_one_pass(world: World) -> None:
    """The whole organisation's two ways to the figures agree (every status, each kind of
    deadline, a month start in the organisation's time zone)."""
    staff = world.people["staff"]
    scope = (services._scope(staff),)
    month_start = services._month_start_utc(TODAY, "Asia/Yerevan")
    by_ranges = services._tally_by_ranges(scope, TODAY, month_start)
    one_pass = services._tally_in_one_pass(scope, TODAY, month_start)
    assert by_ranges == one_pass
    assert by_ranges.overdue and by_ranges.done_on_time and by_ranges.awaiting


def expected_charts(world: World, task_ids: set[int]) -> tuple[Counter[str], Counter[str]]:
    by_department: Counter[str] = Counter()
    by_owner: Counter[str] = Counter()
    for task in world.tasks.values():
        db.session.refresh(task)
        if task.id not in task_ids or not task.is_overdue(TODAY):
            continue
        if task.owners:
            departments = {owner.department.name for owner in task.owners if owner.department}
        else:
            departments = {task.department.name} if task.department else set()
        by_department.update(departments)
        by_owner.update(owner.name for owner in task.owners)
    return by_department, by_owner


@pytest.mark.parametrize("who", ["north_head", "south_head", "staff"])
def test_both_charts_from_one_pass(world: World, who: str) -> None:
    user = world.people[who]
    charts = services.overdue_charts(user, services.Filters(), TODAY)
    departments, owners = expected_charts(world, reference_scope(user))
    assert {name: count for name, count, _id in charts.by_department} == departments
    assert {name: count for name, count, _id in charts.by_owner} == owners
    # The most first, then by name; the ids are the bars' own.
    for bars in (charts.by_department, charts.by_owner):
        assert bars == sorted(bars, key=lambda bar: (-bar[1], bar[0]))
    assert services.overdue_by_department(user, services.Filters(), TODAY) == charts.by_department
    assert services.overdue_by_owner(user, services.Filters(), TODAY) == charts.by_owner


def test_the_charts_count_a_pair_of_colleagues_once(world: World) -> None:
    charts = services.overdue_charts(world.people["staff"], services.Filters(), TODAY)
    bars = {name: count for name, count, _id in charts.by_department}
    # North unit: pair (two owners there, once), shared (Ani), unowned_north (its own).
    assert bars["North unit"] == 3
    # South: shared (Lilit), moved (owned there; its own department North never counts).
    assert bars["South"] == 2
    # North: in_progress (Nairi), left_alone (a deactivated owner still counts).
    assert bars["North"] == 2
    assert charts.by_department[0][:2] == ("North unit", 3)


def test_the_charts_of_a_filter_by_department(world: World) -> None:
    staff = world.people["staff"]
    filters = services.Filters(department_id=world.south.id)
    charts = services.overdue_charts(staff, filters, TODAY)
    departments, owners = expected_charts(
        world, ids(in_departments(department_subtree_ids(world.south.id)))
    )
    assert {name: count for name, count, _id in charts.by_department} == departments
    assert {name: count for name, count, _id in charts.by_owner} == owners
    assert departments["North unit"] == 1  # the shared task's other department


@pytest.mark.parametrize("who", ["north_head", "staff"])
@pytest.mark.parametrize("status", ["overdue", "open", "all"])
def test_the_list_holds_the_scope(world: World, who: str, status: str) -> None:
    user = world.people[who]
    filters = services.Filters(status=status)
    rows, total = services.task_list(user, filters, TODAY, sort="deadline", page=1, per_page=100)
    expected = {
        "overdue": lambda t: t.is_overdue(TODAY),
        "open": lambda t: t.status is TaskStatus.OPEN,
        "all": lambda t: True,
    }[status]
    scope = reference_scope(user)
    wanted = {task.id for task in world.tasks.values() if task.id in scope and expected(task)}
    assert {row.task.id for row in rows} == wanted and total == len(wanted)


def test_report_progress_lists_the_newest_reports_with_a_task_in_scope(world: World) -> None:
    reports = []
    for number in range(3):
        report = Report(
            source_filename=f"visit-{number}.txt",
            content_hash=f"{number:064d}",
            file_type="txt",
            language="en",
            destination=f"Visit {number}",
            status=ReportStatus.CONFIRMED,
            created_at=datetime(2026, 6, 1 + number, tzinfo=UTC),
        )
        db.session.add(report)
        reports.append(report)
    db.session.flush()
    t = world.tasks
    for name in ("pair", "done_on_time"):
        t[name].report_id = reports[0].id
    t["moved"].report_id = reports[1].id  # the South's only
    t["shared"].report_id = reports[2].id
    db.session.commit()
    north = services.report_progress(world.people["north_head"], services.Filters(), TODAY)
    assert [(row.name, row.tasks, row.done, row.overdue) for row in north] == [
        ("Visit 2", 1, 0, 1),
        ("Visit 0", 2, 1, 1),
    ]
    everyone = services.report_progress(world.people["staff"], services.Filters(), TODAY)
    assert [row.name for row in everyone] == ["Visit 2", "Visit 1", "Visit 0"]
    assert (
        services.report_progress(world.people["staff"], services.Filters(), TODAY, limit=1)[0].name
        == "Visit 2"
    )


@pytest.mark.parametrize("who", ["north_head", "south_head", "staff"])
def test_tasks_without_an_active_owner(world: World, who: str) -> None:
    user = world.people[who]
    found, total = services.tasks_without_active_owner(user, per_page=100)
    scope = reference_scope(user)
    expected = {
        name
        for name in ("left_alone", "unowned_north", "unowned_south")
        if world.tasks[name].id in scope
    }
    assert {name for name, task in world.tasks.items() if task in found} == expected
    assert total == len(expected)
    # Never a task with an active co-owner, a finished task or a draft.
    assert not {"left_with_colleague", "unowned_done", "draft"} & {
        name for name, task in world.tasks.items() if task in found
    }


@pytest.mark.parametrize("who", ["north_head", "staff"])
@pytest.mark.parametrize("sort", ["deadline", "-deadline"])
def test_the_overdue_list_pages_merge_the_statuses_in_order(
    world: World, make_task, who: str, sort: str
) -> None:
    """Open and in-progress tasks on one deadline and on others, over several pages: the
    pages taken from each status's own range hold the list sorted by deadline, then id."""
    ani, nairi = world.people["ani"], world.people["nairi"]
    for days in (3, 3, 7, 20, 20, 45):
        make_task(ani, deadline=TODAY - timedelta(days=days))
        make_task(nairi, deadline=TODAY - timedelta(days=days), status=TaskStatus.IN_PROGRESS)
    user = world.people[who]
    overdue = sorted_overdue(reference_scope(user), newest_first=sort == "-deadline")
    expected = [task.id for task in overdue]
    seen: list[int] = []
    filters = services.Filters(status="overdue")
    for page in (1, 2, 3, 4):
        rows, total = services.task_list(user, filters, TODAY, sort=sort, page=page, per_page=5)
        assert total == len(expected)
        seen += [row.task.id for row in rows]
    assert seen == expected and 15 < len(expected) <= 20
    assert {task.status for task in overdue} == {TaskStatus.OPEN, TaskStatus.IN_PROGRESS}


def sorted_overdue(scope: set[int], *, newest_first: bool) -> list[Task]:
    """The overdue tasks of `scope` in the list's order: by deadline, then id (the id
    ascending within a deadline either way)."""
    tasks = db.session.scalars(select(Task).where(Task.id.in_(scope))).all()
    overdue = [task for task in tasks if task.is_overdue(TODAY)]
    overdue.sort(key=lambda task: (task.deadline, -task.id if newest_first else task.id))
    return overdue[::-1] if newest_first else overdue
