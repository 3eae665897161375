from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tracker.models import Department, Role, Task, TaskStatus, User


@dataclass
class Organisation:
    """Two branches of a small administration, with one task in each and a draft."""

    development: Department
    digital: Department
    cooperation: Department
    officer: User
    other_officer: User
    manager: User
    other_manager: User
    staff: User
    admin: User
    task: Task
    other_task: Task
    draft: Task

    def user(self, role_name: str) -> User:
        return getattr(self, role_name)


@pytest.fixture
def org(make_department, make_user, make_task) -> Organisation:  # type: ignore[no-untyped-def]
    root = make_department("Administration")
    development = make_department("Development", parent=root)
    digital = make_department("Digital", parent=development)
    cooperation = make_department("Cooperation", parent=root)
    officer = make_user(Role.OFFICER, department=digital, name="Ani Officer")
    other_officer = make_user(Role.OFFICER, department=cooperation, name="Lilit Officer")
    manager = make_user(Role.MANAGER, department=development, name="Karen Manager")
    other_manager = make_user(Role.MANAGER, department=cooperation, name="Armen Manager")
    staff = make_user(Role.STAFF, department=root, name="Narine Staff")
    admin = make_user(Role.ADMIN, department=root, name="Vardan Admin")
    task = make_task(officer, title="Digital services concept", deadline=date(2025, 3, 31))
    other_task = make_task(other_officer, title="Youth exchange", deadline=date(2026, 4, 30))
    draft = make_task(officer, title="Draft from a report", status=TaskStatus.DRAFT)
    return Organisation(
        development,
        digital,
        cooperation,
        officer,
        other_officer,
        manager,
        other_manager,
        staff,
        admin,
        task,
        other_task,
        draft,
    )
