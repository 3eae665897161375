"""The overdue charts' counts for a whole dashboard scope (everything, or a manager's
departments, unfiltered), read from what the database keeps (migration d13c00000003):
each owner's row in task_owners holds a copy of its task's status and deadline, each task
how many owners it has.

So an owner's overdue tasks are one range of (user_id, task_status, task_deadline), and
only the tasks without owners or with several are read, on (status, deadline,
department_id, owner_count): never a lookup per overdue task. The counts are those of
`services._overdue_per_owner`'s pass (tested equal): a task counts for each of its owners,
once for each department of its owners (its own department without owners), and a
manager's scope holds the tasks with an owner in their departments, so an owner from
elsewhere who shares such a task has a bar for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select

from tracker.batches import chunks
from tracker.extensions import db
from tracker.models import ACTIVE_STATUSES, Task, User, task_owners


@dataclass(frozen=True)
class OverdueCounts:
    """Overdue tasks per owner (user id) and per department (id), none counted zero."""

    per_owner: dict[int, int]
    per_department: dict[int, int]
    departments_of: dict[int, int | None]  # each counted owner's department


def _owner_overdue(today: date) -> ColumnElement[bool]:
    return (task_owners.c.task_status.in_(ACTIVE_STATUSES)) & (task_owners.c.task_deadline < today)


def _task_overdue(today: date) -> ColumnElement[bool]:
    return Task.status.in_(ACTIVE_STATUSES) & (Task.deadline < today)


def _people(departments: Sequence[int] | None) -> dict[int, int | None]:
    query = select(User.id, User.department_id)
    if departments is not None:
        query = query.where(User.department_id.in_(departments))
    return {id_: department_id for id_, department_id in db.session.execute(query)}


def _per_owner(people: dict[int, int | None], today: date) -> dict[int, int]:
    """Each person's overdue tasks: a count of a range of their rows, person by person (a
    correlated count per user: the database never sorts or groups the overdue rows)."""
    overdue = (
        select(func.count())
        .select_from(task_owners)
        .where(task_owners.c.user_id == User.id, _owner_overdue(today))
        .correlate(User)
        .scalar_subquery()
    )
    counted: dict[int, int] = {}
    for ids in chunks(sorted(people)):
        query = select(User.id, overdue).where(User.id.in_(ids))
        counted.update((id_, int(count)) for id_, count in db.session.execute(query) if count)
    return counted


def _not_one_owner(departments: set[int] | None, today: date) -> tuple[Counter[int], list[int]]:
    """The overdue tasks without owners, counted by their own department (of the scope's
    departments), and the ids of those with several owners: from the partial index of the
    tasks whose owner count is not one (its condition written out, so that both databases
    use it)."""
    not_one = (Task.owner_count != 1) & _task_overdue(today)
    unowned_query = select(Task.department_id).where(not_one, Task.owner_count == 0)
    if departments is not None:
        unowned_query = unowned_query.where(Task.department_id.in_(departments))
    unowned = Counter(id_ for id_ in db.session.scalars(unowned_query) if id_ is not None)
    shared = select(Task.id).where(not_one, Task.owner_count > 1)
    return unowned, list(db.session.scalars(shared))


def _owners_of(
    task_ids: list[int], people: dict[int, int | None], whole: bool
) -> list[list[tuple[int, int | None]]]:
    """The owners (and their departments) of each of these tasks that has one of `people`
    (`whole`: everyone is)."""
    found: dict[int, list[tuple[int, int | None]]] = {}
    for ids in chunks(task_ids):
        query = (
            select(task_owners.c.task_id, task_owners.c.user_id, User.department_id)
            .join(User, User.id == task_owners.c.user_id)
            .where(task_owners.c.task_id.in_(ids))
        )
        for task_id, user_id, department_id in db.session.execute(query):
            found.setdefault(task_id, []).append((user_id, department_id))
    return [
        owners
        for owners in found.values()
        if whole or any(user_id in people for user_id, _d in owners)
    ]


def _count_shared(
    owners: list[tuple[int, int | None]],
    people: dict[int, int | None],
    counts: OverdueCounts,
    per_department: Counter[int],
) -> None:
    """One shared task: counted for its owners from outside the scope's people (their own
    bar), and once in a department however many of its owners work there."""
    for user_id, department_id in owners:
        if user_id not in people:
            counts.per_owner[user_id] = counts.per_owner.get(user_id, 0) + 1
            counts.departments_of[user_id] = department_id
            if department_id is not None:
                per_department[department_id] += 1
    for department_id, owners_there in Counter(d for _u, d in owners).items():
        if department_id is not None and owners_there > 1:
            per_department[department_id] -= owners_there - 1


def kept_overdue_counts(departments: Sequence[int] | None, today: date) -> OverdueCounts:
    """The overdue counts of everything (`departments` None) or of these departments'
    tasks."""
    people = _people(departments)
    per_owner = _per_owner(people, today)
    counts = OverdueCounts(per_owner, {}, {id_: people[id_] for id_ in per_owner})
    in_scope = None if departments is None else set(departments)
    per_department, shared = _not_one_owner(in_scope, today)
    for owner_id, count in per_owner.items():
        if (department_id := people[owner_id]) is not None:
            per_department[department_id] += count
    for owners in _owners_of(shared, people, whole=departments is None):
        _count_shared(owners, people, counts, per_department)
    counts.per_department.update((id_, count) for id_, count in per_department.items() if count)
    return counts
