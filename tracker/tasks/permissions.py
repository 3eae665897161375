"""Who may see and change which task. One place, used by views, CLI and jobs alike.

- officers see and change the tasks they own;
- managers see the tasks of their department and its sub-departments (and their own),
  and may cancel them or move their deadline; a task belongs to the departments of all
  its owners (one without owners, a draft, to its own `department_id`), so each owner's
  manager sees it;
- staff and admins see and change every task; only they see drafts under review.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.extensions import db
from tracker.models import Department, Role, Task, TaskStatus, User, task_owners
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


def managed_by(user: User) -> ColumnElement[bool]:
    """Tasks in the departments this user heads or works in as a manager (and the ones
    below them): those with an owner there."""
    if user.role in SEES_EVERYTHING:
        return true()
    if user.role is not Role.MANAGER or user.department_id is None:
        return false()
    return in_departments(department_subtree_ids(user.department_id))


def visible_tasks(user: User) -> Select[Task]:
    """Every task this user may see, as a query to refine."""
    query = select(Task)
    if user.role in SEES_EVERYTHING:
        return query
    return query.where(Task.status != TaskStatus.DRAFT, or_(owned_by(user), managed_by(user)))


def _matches(task: Task, criterion: ColumnElement[bool]) -> bool:
    if task.id is None:
        return False
    return bool(db.session.scalar(select(exists().where(Task.id == task.id, criterion))))


def can_view(user: User, task: Task) -> bool:
    if user.role in SEES_EVERYTHING:
        return True
    return task.status is not TaskStatus.DRAFT and (
        user in task.owners or _matches(task, managed_by(user))
    )


def can_manage(user: User, task: Task) -> bool:
    """Cancel, move the deadline: the department's manager, staff and admins."""
    if user.role in SEES_EVERYTHING:
        return True
    return task.status is not TaskStatus.DRAFT and _matches(task, managed_by(user))


def can_work_on(user: User, task: Task) -> bool:
    """Report progress, mark done: the owners and whoever manages the task."""
    return (task.status is not TaskStatus.DRAFT and user in task.owners) or can_manage(user, task)


def can_list_all(user: User) -> bool:
    """The "All tasks" list (of what the role may see) instead of only one's own."""
    return user.role in OVERSEERS


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
