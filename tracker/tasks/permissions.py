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

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

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


def owned_by(user: User) -> ColumnElement[bool]:
    return exists().where(task_owners.c.task_id == Task.id, task_owners.c.user_id == user.id)


def in_departments(department_ids: Select[int]) -> ColumnElement[bool]:
    """Tasks that belong to one of these departments: an owner works there, or the task has
    no owner (a draft under review) and its own department is one of them.

    Two EXISTS, not a join: a task of two owners in the departments is one row, not two.
    The first walks the indexes (task_id, user_id) of task_owners and users' primary key."""
    owner = aliased(User, name="department_owner")
    link = task_owners.alias("department_link")
    owner_there = exists().where(
        link.c.task_id == Task.id,
        owner.id == link.c.user_id,
        owner.department_id.in_(department_ids),
    )
    no_owner = ~exists().where(link.c.task_id == Task.id)
    return or_(owner_there, and_(no_owner, Task.department_id.in_(department_ids)))


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


def _department_scope(user: User) -> ColumnElement[bool] | None:
    if user.role is not Role.MANAGER or user.department_id is None:
        return None
    return in_departments(department_subtree_ids(user.department_id))


def managed_by(user: User, absent: Sequence[User] | None = None) -> ColumnElement[bool]:
    """Tasks in the departments this user heads or works in as a manager (and the ones
    below them): those with an owner there; and, while a manager is absent, that manager's
    departments for their substitute (only a manager's scope passes on: an absent admin's
    substitute does not see everything)."""
    if user.role in SEES_EVERYTHING:
        return true()
    people = absent_people_covered_by(user) if absent is None else absent
    scopes = [scope for scope in map(_department_scope, [user, *people]) if scope is not None]
    return or_(*scopes) if scopes else false()


def visible_tasks(user: User) -> Select[Task]:
    """Every task this user may see, as a query to refine."""
    query = select(Task)
    if user.role in SEES_EVERYTHING:
        return query
    absent = absent_people_covered_by(user)
    return query.where(
        Task.status != TaskStatus.DRAFT,
        or_(owned_by(user), covered_by(user, absent), managed_by(user, absent)),
    )


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
