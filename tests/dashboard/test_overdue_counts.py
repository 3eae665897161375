"""The overdue charts' kept counts (#13): task_owners' copy of each task's status and
deadline and each task's owner count, kept by the database's triggers, on SQLite and
PostgreSQL; and the charts read from them equal to the pass over the overdue tasks, for an
admin and a manager, before and after the tasks change through the ORM and in bulk."""

from __future__ import annotations

import random
import threading
import time
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, func, insert, select, text, update

from tests.conftest import PASSWORD_HASH
from tracker.dashboard import services
from tracker.dashboard.overdue_counts import OverdueCounts
from tracker.extensions import db
from tracker.models import Department, Role, Task, TaskStatus, User, task_owners

TODAY = date(2026, 11, 26)
STATUSES = (
    TaskStatus.OPEN,
    TaskStatus.OPEN,
    TaskStatus.IN_PROGRESS,
    TaskStatus.AWAITING_ACCEPTANCE,
    TaskStatus.DONE,
    TaskStatus.CANCELLED,
    TaskStatus.DRAFT,
)


class Organisation:
    """Two trees of departments, people in them (one in none), a manager of one subtree."""

    def __init__(self) -> None:
        top = Department(name="Top")
        left = Department(name="Left", parent=top)
        below = Department(name="Below left", parent=left)
        other = Department(name="Other")
        self.departments = [top, left, below, other]
        db.session.add_all(self.departments)
        self.people = [
            self._person(f"Person {number}", department)
            for number, department in enumerate([top, left, left, below, below, other, other, None])
        ]
        self.admin = self._person("Admin", top, Role.ADMIN)
        self.manager = self._person("Manager", left, Role.MANAGER)
        db.session.commit()

    def _person(self, name: str, department: Department | None, role: Role = Role.OFFICER) -> User:
        person = User(
            email=f"{name.replace(' ', '').lower()}@example.am",
            name=name,
            role=role,
            department=department,
            language="en",
            password_hash=PASSWORD_HASH,
            active=True,
        )
        db.session.add(person)
        return person


def _random_tasks(organisation: Organisation, seed: int, count: int = 120) -> list[Task]:
    rng = random.Random(seed)
    tasks = []
    for number in range(count):
        deadline = None if rng.random() < 0.1 else TODAY + timedelta(days=rng.randint(-40, 20))
        task = Task(
            title=f"Task {seed}-{number}",
            status=rng.choice(STATUSES),
            deadline=deadline,
            department=rng.choice(organisation.departments),
            owners=rng.sample(organisation.people, rng.choice([0, 1, 1, 1, 2, 2, 3])),
        )
        tasks.append(task)
    db.session.add_all(tasks)
    db.session.commit()
    return tasks


def _both_ways(user: User) -> tuple[OverdueCounts, OverdueCounts]:
    everything = services.Filters()
    kept = services.overdue_counts(user, everything, TODAY)
    passed = services._counts_in_one_pass(user, everything, TODAY)
    return kept, passed


def _assert_the_copies_are_right() -> None:
    copies = db.session.execute(
        select(task_owners.c.task_status, Task.status, task_owners.c.task_deadline, Task.deadline)
        .join(Task, Task.id == task_owners.c.task_id)
        .where(
            (task_owners.c.task_status.is_(None))
            | (task_owners.c.task_status != Task.status)
            | (task_owners.c.task_deadline.is_(None) != Task.deadline.is_(None))
            | (task_owners.c.task_deadline != Task.deadline)
        )
    ).all()
    assert copies == []
    owners = (
        select(func.count())
        .where(task_owners.c.task_id == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )
    assert db.session.execute(select(Task.id).where(Task.owner_count != owners)).all() == []


def _assert_kept_equals_passed(organisation: Organisation) -> None:
    for user in (organisation.admin, organisation.manager):
        kept, passed = _both_ways(user)
        assert kept.per_owner == passed.per_owner, user.name
        assert kept.per_department == passed.per_department, user.name
        for owner_id, department_id in passed.departments_of.items():
            assert kept.departments_of[owner_id] == department_id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_the_pass_for_an_admin_and_a_manager(
    any_database_app: Flask, seed: int
) -> None:
    organisation = Organisation()
    _random_tasks(organisation, seed)
    _assert_the_copies_are_right()
    kept, _passed = _both_ways(organisation.admin)
    assert sum(kept.per_owner.values()) > 0 and kept.per_department  # something to compare
    _assert_kept_equals_passed(organisation)


def test_the_copies_follow_every_kind_of_change(any_database_app: Flask) -> None:
    organisation = Organisation()
    tasks = _random_tasks(organisation, seed=7)
    rng = random.Random(8)
    # Through the ORM: statuses, deadlines, owners added and removed, a task deleted.
    for task in rng.sample(tasks, 40):
        task.status = rng.choice(STATUSES)
        task.deadline = TODAY + timedelta(days=rng.randint(-30, 30))
    for task in rng.sample(tasks, 20):
        task.owners = rng.sample(organisation.people, rng.choice([0, 1, 2, 3]))
    db.session.delete(tasks[0])
    db.session.commit()
    _assert_the_copies_are_right()
    _assert_kept_equals_passed(organisation)

    # In bulk, as a script or a migration would: the database keeps the copies itself.
    db.session.execute(
        update(Task)
        .where(Task.id.in_([task.id for task in tasks[1:30]]))
        .values(status=TaskStatus.OPEN, deadline=TODAY - timedelta(days=3))
    )
    moved = tasks[40]
    db.session.execute(delete(task_owners).where(task_owners.c.task_id == moved.id))
    db.session.execute(
        insert(task_owners),
        [{"task_id": moved.id, "user_id": person.id} for person in organisation.people[:3]],
    )
    db.session.commit()
    _assert_the_copies_are_right()
    _assert_kept_equals_passed(organisation)


def test_an_owner_of_another_department_sharing_a_task_has_a_bar(any_database_app: Flask) -> None:
    """A manager's chart counts a shared overdue task for the owner from elsewhere too, and
    once in a department where two of its owners work."""
    organisation = Organisation()
    _top, left, _below, other = organisation.departments
    in_left = [person for person in organisation.people if person.department is left]
    outsider = next(person for person in organisation.people if person.department is other)
    shared = Task(
        title="Shared",
        status=TaskStatus.OPEN,
        deadline=TODAY - timedelta(days=5),
        owners=[*in_left, outsider],
    )
    db.session.add(shared)
    db.session.commit()

    kept = services.overdue_counts(organisation.manager, services.Filters(), TODAY)

    assert kept.per_owner == {in_left[0].id: 1, in_left[1].id: 1, outsider.id: 1}
    assert kept.per_department == {left.id: 1, other.id: 1}
    _assert_kept_equals_passed(organisation)


def test_a_filtered_dashboard_counts_by_the_pass(any_database_app: Flask) -> None:
    """A filter is not a kept scope: its counts come from the pass over its tasks."""
    organisation = Organisation()
    _random_tasks(organisation, seed=11)
    left = organisation.departments[1]
    filters = services.Filters(department_id=left.id)
    kept = services.overdue_counts(organisation.admin, filters, TODAY)
    assert kept == services._counts_in_one_pass(organisation.admin, filters, TODAY)
    assert kept != services.overdue_counts(organisation.admin, services.Filters(), TODAY)


def test_an_owner_added_while_the_task_changes_copies_its_new_status(
    any_database_app: Flask,
) -> None:
    """PostgreSQL: a transaction adds an owner while another has changed the task's status
    and not committed; the added owner's row waits for it (the trigger locks the task's row)
    and copies the status committed, not the one it would have read before. SQLite has one
    writer at a time, so the two cannot overlap there."""
    organisation = Organisation()
    task = Task(
        title="Changing",
        status=TaskStatus.OPEN,
        deadline=TODAY - timedelta(days=2),
        owners=[organisation.people[0]],
    )
    db.session.add(task)
    db.session.commit()
    task_id, newcomer = task.id, organisation.people[1].id
    db.session.remove()
    if db.engine.dialect.name != "postgresql":
        return
    engine = db.engine  # the thread has no application context
    changing = engine.connect()
    changing.execute(
        update(Task).where(Task.id == task_id).values(status=TaskStatus.AWAITING_ACCEPTANCE)
    )
    failures: list[BaseException] = []

    def add_owner() -> None:
        try:
            with engine.begin() as adding:
                adding.execute(insert(task_owners).values(task_id=task_id, user_id=newcomer))
        except BaseException as error:  # reported to the test's thread
            failures.append(error)

    adder = threading.Thread(target=add_owner)
    adder.start()
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()"
    )
    with db.engine.connect() as watcher:
        for _ in range(500):  # until the adder waits on the task's row (at most 10 s)
            if watcher.execute(waiting).scalar():
                break
            watcher.rollback()  # the statistics views hold one snapshot per transaction
            time.sleep(0.02)
        else:
            pytest.fail(f"the owner's insert did not wait for the task's row: {failures}")
    changing.commit()
    changing.close()
    adder.join(timeout=10)
    assert not failures and not adder.is_alive()

    copy = db.session.execute(
        select(task_owners.c.task_status).where(
            task_owners.c.task_id == task_id, task_owners.c.user_id == newcomer
        )
    ).scalar_one()
    assert copy is TaskStatus.AWAITING_ACCEPTANCE
    counted = db.session.scalar(select(Task.owner_count).where(Task.id == task_id))
    assert counted == 2
    _assert_the_copies_are_right()
