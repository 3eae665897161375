"""Who may see and change which task. One place, used by views, CLI and jobs alike.

- officers see and change the tasks they own;
- managers see the tasks of their department and its sub-departments (and their own),
  and may cancel them or move their deadline; a task belongs to the departments of all
  its owners (one without owners, a draft, to its own `department_id`), so each owner's
  manager sees it;
- staff and admins see and change every task; only they see drafts under review;
- during an absence, the substitute (or whoever the absent person's notices reach, see
  tracker.notifications.policy.stand_in) sees and changes the absent person's tasks, and
  an absent manager's substitute manages that manager's departments meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from flask import current_app
from sqlalchemy import Select, and_, any_, exists, false, func, or_, select, true, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect

from tracker.clock import current_clock
from tracker.extensions import db
from tracker.models import Absence, Department, Role, Task, TaskStatus, User, task_owners
from tracker.notifications.policy import stood_in_for
from tracker.permissions import PermissionDenied

SEES_EVERYTHING = (Role.STAFF, Role.ADMIN)
# Who looks after other people's tasks: the "All tasks" list and the dashboard are theirs.
OVERSEERS = (Role.MANAGER, Role.STAFF, Role.ADMIN)


def department_subtree_ids(department_id: int) -> Select[int]:
    """The department and every department below it, as a subquery of ids."""
    tree = (
        select(Department.id)
        .where(Department.id == department_id)
        # Unnamed: a query may hold two subtrees (a manager's scope and a filter).
        .cte(recursive=True)
    )
    # UNION (not UNION ALL) ends the recursion even if someone made the tree a cycle.
    tree = tree.union(select(Department.id).where(Department.parent_id == tree.c.id))
    return select(tree.c.id)


def departments_below(roots: Iterable[int]) -> list[int]:
    """These departments and every department below them, read once (a few rows)."""
    found: set[int] = set()
    for root in roots:
        found.update(db.session.scalars(department_subtree_ids(root)))
    return sorted(found)


def owned_by(user: User) -> ColumnElement[bool]:
    return exists().where(task_owners.c.task_id == Task.id, task_owners.c.user_id == user.id)


def in_departments(department_ids: Select[int] | Sequence[int]) -> ColumnElement[bool]:
    """Tasks that belong to one of these departments: an owner works there, or the task has
    no owner (a draft under review) and its own department is one of them.

    Asked of each task: for one task, or a few already found (a point lookup each); a list
    of many reads the same tasks with `of_departments`. Two EXISTS, not a join: a task of
    two owners in the departments is one row, not two. The first walks the indexes
    (task_id, user_id) of task_owners and users' primary key."""
    owner = aliased(User, name="department_owner")
    link = task_owners.alias("department_link")
    owner_there = exists().where(
        link.c.task_id == Task.id,
        owner.id == link.c.user_id,
        owner.department_id.in_(department_ids),
    )
    no_owner = ~exists().where(link.c.task_id == Task.id)
    return or_(owner_there, and_(no_owner, Task.department_id.in_(department_ids)))


def _department_people_tasks(department_ids: Sequence[int]) -> Select[Any]:
    """The ids of the tasks with an owner in these departments (a task of two such owners
    twice: an IN does not mind), from task_owners' (user_id, task_id) index."""
    link = task_owners.alias("scope_link")
    owner = aliased(User, name="scope_owner")
    return (
        select(link.c.task_id)
        .join(owner, owner.id == link.c.user_id)
        .where(owner.department_id.in_(department_ids))
    )


def _without_owners(task: type[Task] | Any) -> ColumnElement[bool]:
    """The task has no owner, by the count the database keeps (migration d13c00000003), in
    the partial index of the tasks whose count is not one (its condition written out, so
    that both databases use it): not a probe of the owners of each task."""
    return and_(task.owner_count != 1, task.owner_count == 0)


def _unowned_of(department_ids: Sequence[int]) -> Select[Any]:
    """The ids of the tasks without an owner whose own department is one of these (an alias:
    inside `tasks.id IN (...)`, never correlated to the outer query's tasks)."""
    own = aliased(Task, name="scope_task")
    return select(own.id).where(own.department_id.in_(department_ids), _without_owners(own))


def _unowned_here(department_ids: Sequence[int]) -> ColumnElement[bool]:
    """The task at hand has no owner and its own department is one of these (the owners are
    probed only for a task of these departments). Not by the kept owner count: as a column
    of an index, SQLite would read the departments' tasks by it and by the people's ids and
    sort them all, rather than walk the range it is asked about."""
    any_owner = task_owners.alias("scope_any_owner")
    return and_(
        Task.department_id.in_(department_ids), ~exists().where(any_owner.c.task_id == Task.id)
    )


def _people_tasks(people_ids: Sequence[int]) -> Select[Any]:
    link = task_owners.alias("scope_person_link")
    return select(link.c.task_id).where(link.c.user_id.in_(people_ids))


# How a query asks whether a task is in a scope; every form selects the same tasks.
# "ids": `tasks.id IN (ids read from the owners' side)`, the database walks from the people
# (task_owners' (user_id, task_id) index) to their tasks, a cost that follows the tasks in
# scope, not the table. "probe": for a query that walks a short range of its own (the
# overdue tasks on (status, deadline, department_id), a search's few matches): each task of
# the range is looked up in the people's task ids (read once), and only a task of the
# departments' own without such an owner is probed for owners. "each": EXISTS per task,
# for one task or the first rows of a list read in its order (nothing read beforehand).
# "array", PostgreSQL only: the ids of "ids" read into an array first, `tasks.id =
# ANY(ARRAY(...))`, so that the tasks are fetched by one index scan of the sorted ids (in
# the table's order) rather than one lookup per id in the order the owners' index gave.
ScopeForm = Literal["ids", "probe", "each", "array"]


def _id_in(ids: Select[Any] | CompoundSelect[Any], form: ScopeForm) -> ColumnElement[bool]:
    if form == "array":
        return Task.id == any_(func.array(ids.scalar_subquery()))
    return Task.id.in_(ids)


def of_departments(
    department_ids: Sequence[int], *, form: ScopeForm = "ids"
) -> ColumnElement[bool]:
    """The tasks of these departments: an owner works there, or the task has no owner and
    its own department is one of them (in the `form` asked)."""
    if not department_ids:
        return false()
    if form == "each":
        return in_departments(department_ids)
    owned = _department_people_tasks(department_ids)
    if form == "probe":
        return or_(Task.id.in_(owned), _unowned_here(department_ids))
    return _id_in(union_all(owned, _unowned_of(department_ids)), form)


def absent_people_covered_by(user: User) -> Sequence[User]:
    """The people absent today whose tasks `user` takes over as their substitute (two
    queries): the same people whose notices the planner routes to `user` today."""
    today = current_clock().today(current_app.config["TRACKER_TIMEZONE"])
    substitute = aliased(User, name="absence_substitute")
    rows = db.session.execute(
        select(Absence.user_id, Absence.substitute_id, substitute.active)
        .outerjoin(substitute, substitute.id == Absence.substitute_id)
        .where(Absence.starts_on <= today, Absence.ends_on >= today)
    )
    # A deactivated substitute stands in for nobody, as in the planner.
    absences = {row[0]: (row[1] if row[2] else None) for row in rows}
    absent_ids = stood_in_for(user.id, absences)
    if not absent_ids:
        return []
    return db.session.scalars(select(User).where(User.id.in_(absent_ids))).all()


def covered_by(user: User, absent: Sequence[User] | None = None) -> ColumnElement[bool]:
    """Tasks owned by someone absent today for whom `user` is the substitute."""
    people = absent_people_covered_by(user) if absent is None else absent
    if not people:
        return false()
    return exists().where(
        task_owners.c.task_id == Task.id,
        task_owners.c.user_id.in_([person.id for person in people]),
    )


def managed_departments(user: User, absent: Sequence[User] | None = None) -> list[int] | None:
    """The departments whose tasks this user manages: a manager's own and those below it,
    and while a manager is absent theirs for the substitute (only a manager's scope passes
    on: an absent admin's substitute does not see everything). None for staff and admins,
    who manage every task."""
    if user.role in SEES_EVERYTHING:
        return None
    people = [user, *(absent_people_covered_by(user) if absent is None else absent)]
    return departments_below(
        person.department_id
        for person in people
        if person.role is Role.MANAGER and person.department_id is not None
    )


def managed_by(user: User, absent: Sequence[User] | None = None) -> ColumnElement[bool]:
    """Tasks in the departments this user manages (`managed_departments`), asked of each
    task: for a task or a few found otherwise (a page of requests); see `visible_tasks`
    for a list."""
    departments = managed_departments(user, absent)
    if departments is None:
        return true()
    return in_departments(departments) if departments else false()


@dataclass(frozen=True)
class Scope:
    """Whose tasks a user who does not see everything may see (drafts aside): their own and
    those of the absent people they cover (`people`), and the tasks of the departments they
    manage (`departments`, see `managed_departments`)."""

    people: tuple[int, ...]
    departments: tuple[int, ...]

    def owners_side(self) -> CompoundSelect[Any]:
        """The ids of the scope's tasks that have an owner in it, read from task_owners'
        (user_id, task_id) index: one row per such owner. Not the departments' tasks
        without an owner."""
        branches = [_people_tasks(self.people)]
        if self.departments:
            branches.append(_department_people_tasks(self.departments))
        return union_all(*branches)

    def clause(self, form: ScopeForm = "ids") -> ColumnElement[bool]:
        """The scope's tasks, asked in `form` (see ScopeForm)."""
        if form == "each":
            people = exists().where(
                task_owners.c.task_id == Task.id, task_owners.c.user_id.in_(self.people)
            )
            return or_(people, of_departments(self.departments, form="each"))
        branches = [_people_tasks(self.people)]
        if not self.departments:
            return _id_in(branches[0], "ids" if form == "probe" else form)
        branches.append(_department_people_tasks(self.departments))
        if form == "probe":
            return or_(Task.id.in_(union_all(*branches)), _unowned_here(self.departments))
        return _id_in(union_all(*branches, _unowned_of(self.departments)), form)

    def tasks(self, form: ScopeForm = "ids") -> Select[Task]:
        """The scope's tasks but drafts (only staff and admins see those)."""
        return select(Task).where(Task.status != TaskStatus.DRAFT, self.clause(form))


def scope_of(user: User, absent: Sequence[User] | None = None) -> Scope | None:
    """The scope of the tasks `user` may see; None for staff and admins, who see all."""
    if user.role in SEES_EVERYTHING:
        return None
    people = absent_people_covered_by(user) if absent is None else absent
    departments = managed_departments(user, people) or []
    return Scope((user.id, *(person.id for person in people)), tuple(departments))


def visible_tasks(user: User, form: ScopeForm = "ids") -> Select[Task]:
    """Every task this user may see, as a query to refine: by default as a set of ids read
    from the owners' side (ScopeForm)."""
    scope = scope_of(user)
    return select(Task) if scope is None else scope.tasks(form)


def _matches(task: Task, criterion: ColumnElement[bool]) -> bool:
    if task.id is None:
        return False
    return bool(db.session.scalar(select(exists().where(Task.id == task.id, criterion))))


def can_view(user: User, task: Task) -> bool:
    if user.role in SEES_EVERYTHING:
        return True
    if task.status is TaskStatus.DRAFT:
        return False
    if user in task.owners:
        return True
    absent = absent_people_covered_by(user)
    return _matches(task, or_(covered_by(user, absent), managed_by(user, absent)))


def can_manage(user: User, task: Task) -> bool:
    """Cancel, move the deadline: the department's manager, staff and admins."""
    if user.role in SEES_EVERYTHING:
        return True
    return task.status is not TaskStatus.DRAFT and _matches(task, managed_by(user))


def can_work_on(user: User, task: Task) -> bool:
    """Report progress, mark done: the owners (or their substitute, during an absence) and
    whoever manages the task."""
    if task.status is not TaskStatus.DRAFT and (
        user in task.owners or _matches(task, covered_by(user))
    ):
        return True
    return can_manage(user, task)


def can_list_all(user: User) -> bool:
    """The "All tasks" list (of what the role may see) instead of only one's own."""
    return user.role in OVERSEERS


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
