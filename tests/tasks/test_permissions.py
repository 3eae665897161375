from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.tasks.permissions import can_manage, can_view, can_work_on, visible_tasks


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", {"Digital services concept"}),
        ("other_officer", {"Youth exchange"}),
        ("manager", {"Digital services concept"}),  # Digital is below Development
        ("other_manager", {"Youth exchange"}),
        ("staff", {"Digital services concept", "Youth exchange", "Draft from a report"}),
        ("admin", {"Digital services concept", "Youth exchange", "Draft from a report"}),
    ],
)
def test_each_role_sees_exactly_its_tasks(org, role: str, expected: set[str]) -> None:
    user = org.user(role)
    titles = {task.title for task in db.session.scalars(visible_tasks(user))}
    assert titles == expected
    for task in (org.task, org.other_task, org.draft):
        assert can_view(user, task) == (task.title in expected)


@pytest.mark.parametrize(
    ("role", "work", "manage"),
    [
        ("officer", True, False),
        ("other_officer", False, False),
        ("manager", True, True),
        ("other_manager", False, False),
        ("staff", True, True),
        ("admin", True, True),
    ],
)
def test_who_may_change_a_task(org, role: str, work: bool, manage: bool) -> None:
    user = org.user(role)
    assert can_work_on(user, org.task) is work
    assert can_manage(user, org.task) is manage


def test_a_manager_without_a_department_sees_only_own_tasks(org, make_user, make_task) -> None:
    floating = make_user("manager")
    own = make_task(floating, title="Own task")
    titles = {task.title for task in db.session.scalars(visible_tasks(floating))}
    assert titles == {"Own task"}
    assert can_work_on(floating, own) and not can_manage(floating, own)


def test_a_department_cycle_does_not_hang_the_query(org) -> None:
    # Made directly in the database: the services refuse to create a cycle.
    org.development.parent = org.digital
    db.session.commit()
    titles = {task.title for task in db.session.scalars(visible_tasks(org.manager))}
    assert titles == {"Digital services concept"}
