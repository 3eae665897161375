"""A manager's task list read each way it can be (#13 point 3), on SQLite and PostgreSQL:
along the list's order testing each task (first pages), or from the scope's ids read from
the owners' side and sorted (deep pages, a small scope); a search through the trigram index
or in order. Every way lists the same tasks, each once, in the list's order across page
boundaries, as the single-task checks (`can_view`) allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from tests.tasks.test_permissions_substitutes import away
from tracker.extensions import db
from tracker.models import Role, Task, TaskStatus, User
from tracker.tasks import services
from tracker.tasks.permissions import ScopeForm, can_view, visible_tasks

DAY = date(2026, 7, 1)
PER_PAGE = 7  # small pages: a boundary falls inside every run of equal deadlines


@pytest.fixture
def app(any_database_app: Flask) -> Flask:
    return any_database_app


@pytest.fixture(params=["along the order", "from the scope's ids"])
def list_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test both ways a scoped page can be read (services._walks chooses by the sizes
    of the table and of the scope, which these small lists cannot reach)."""
    walks = request.param == "along the order"
    monkeypatch.setattr(services, "_walks", lambda _scope, _needed: walks)
    return str(request.param)


@pytest.fixture(params=["read in order", "through the trigram index"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    in_order = request.param == "read in order"

    def walk(_listed: object, _in_order: bool, _search: str, needed: int) -> int | None:
        return needed if in_order else None

    monkeypatch.setattr(services, "_search_walk", walk)
    return str(request.param)


def in_list_order(tasks: list[Task]) -> list[int]:
    ordered = sorted(tasks, key=lambda t: (t.deadline is None, t.deadline or DAY, t.id))
    return [task.id for task in ordered]


def every_page(user: User, search_for: str = "") -> list[int]:
    """The ids of every page of the user's "all" list, checking the pages' seams."""
    seen: list[int] = []
    number = 1
    while True:
        page = services.task_list(
            user, "all", search_for=search_for, page=number, per_page=PER_PAGE
        )
        assert page.scope == "all"
        seen.extend(task.id for task in page.tasks)
        if not page.has_next:
            assert len(page.tasks) <= PER_PAGE
            return seen
        assert len(page.tasks) == PER_PAGE
        number += 1


@dataclass
class Scene:
    manager: User  # of "North", and so of "North unit" below it
    outside: User  # an officer of "South"
    listed: list[Task]  # what the manager's list holds (unfinished, in scope)
    hidden: list[Task]


@pytest.fixture
def scene(make_department, make_user, make_task) -> Scene:
    """Tasks in and out of a manager's scope, with shared deadlines and some without one."""
    root = make_department("Administration")
    north = make_department("North", parent=root)
    unit = make_department("North unit", parent=north)
    south = make_department("South", parent=root)
    manager = make_user(Role.MANAGER, department=north, name="Karen North")
    inside = make_user(Role.OFFICER, department=unit, name="Ani Unit")
    colleague = make_user(Role.OFFICER, department=north, name="Gor North")
    outside = make_user(Role.OFFICER, department=south, name="Lilit South")
    listed: list[Task] = []
    hidden: list[Task] = []
    for n in range(20):
        deadline = None if n % 5 == 4 else DAY + timedelta(days=n % 3)
        owner = inside if n % 2 else colleague
        listed.append(make_task(owner, title=f"Scoped {n:02d}", deadline=deadline))
        hidden.append(make_task(outside, title=f"Elsewhere {n:02d}", deadline=deadline))
    # Two owners in two departments: once, wherever its deadline puts it.
    listed.append(make_task(outside, inside, title="Shared south north", deadline=DAY))
    # Two owners both in scope (two rows of the owners' ids): once.
    listed.append(make_task(inside, colleague, title="Shared in scope", deadline=DAY))
    # No owner: the task's own department decides.
    unowned = make_task(title="Unowned north", deadline=DAY + timedelta(days=1))
    unowned.department = north
    unowned_south = make_task(title="Unowned south", deadline=DAY)
    unowned_south.department = south
    db.session.commit()
    listed.append(unowned)
    hidden.append(unowned_south)
    listed.append(make_task(manager, title="The manager's own", deadline=DAY))
    hidden.append(make_task(inside, title="Draft north", status=TaskStatus.DRAFT, deadline=DAY))
    hidden.append(make_task(inside, title="Done north", status=TaskStatus.DONE, deadline=DAY))
    return Scene(manager, outside, listed, hidden)


def test_every_page_lists_the_scope_once_in_the_list_order(scene: Scene, list_path: str) -> None:
    seen = every_page(scene.manager)
    assert seen == in_list_order(scene.listed)
    assert not {task.id for task in scene.hidden} & set(seen)
    for task in [*scene.listed, *scene.hidden]:
        # A finished task is seen (not listed: the list holds unfinished ones); drafts never.
        expected = task in scene.listed or task.title == "Done north"
        assert can_view(scene.manager, task) is expected, task.title


def test_a_deep_page_is_the_same_page_either_way(scene: Scene, monkeypatch) -> None:
    pages = {}
    for walks in (True, False):
        monkeypatch.setattr(services, "_walks", lambda _scope, _needed, w=walks: w)
        pages[walks] = [
            [task.id for task in services.task_list(scene.manager, "all", page=n, per_page=5).tasks]
            for n in (3, 4)
        ]
    assert (
        pages[True]
        == pages[False]
        == [
            in_list_order(scene.listed)[10:15],
            in_list_order(scene.listed)[15:20],
        ]
    )


def test_the_scope_holds_the_same_tasks_in_every_form(scene: Scene) -> None:
    names: list[ScopeForm] = ["ids", "probe", "each"]
    if db.engine.dialect.name == "postgresql":
        names.append("array")
    for user in (scene.manager, scene.outside):
        forms = [
            {task.id for task in db.session.scalars(visible_tasks(user, form))} for form in names
        ]
        assert all(found == forms[0] for found in forms), user.name
    outside_sees = {task.title for task in db.session.scalars(visible_tasks(scene.outside))}
    assert outside_sees == {f"Elsewhere {n:02d}" for n in range(20)} | {"Shared south north"}


def test_a_search_finds_in_scope_only_each_task_once(
    scene: Scene, list_path: str, search_path: str
) -> None:
    # Another department's owner: only the task shared with the manager's department.
    shared = [task.id for task in scene.listed if task.title == "Shared south north"]
    assert every_page(scene.manager, "lilit south") == shared
    # A word of every scoped title, across pages.
    scoped = [task for task in scene.listed if task.title.startswith("Scoped")]
    assert every_page(scene.manager, "scoped") == in_list_order(scoped)
    # An owner in scope: their tasks, the shared ones once.
    ani = [task for task in scene.listed if any(o.name == "Ani Unit" for o in task.owners)]
    assert len(ani) > PER_PAGE
    assert every_page(scene.manager, "ani unit") == in_list_order(ani)
    assert every_page(scene.manager, "draft north") == []


def test_an_absent_managers_substitute_lists_their_departments(
    scene: Scene, make_department, make_user, clock, list_path: str
) -> None:
    # A manager of a department without tasks, so that what they list is the absent one's.
    substitute = make_user(Role.MANAGER, department=make_department("East"), name="Stand In")
    away(scene.manager, substitute)
    assert every_page(substitute) == in_list_order(scene.listed)
    substitute.active = False  # a deactivated substitute stands in for nobody
    db.session.commit()
    assert every_page(substitute) == []
