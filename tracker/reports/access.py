"""Who may see which report, and whom a reviewer may choose as a task's owner: the rules
the report pages apply, kept out of the views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Report, ReportStatus, Role, Task, User
from tracker.permissions import PermissionDenied
from tracker.reports.owners import sort_key
from tracker.reports.services import REGISTRY_ROLES, tasks_of_report_visible_to


@dataclass(frozen=True)
class ReportView:
    """A report as one user may see it: the tasks they may see, and whether they are the
    registry (who sees everything, drafts included, and reviews)."""

    report: Report
    tasks: Sequence[Task]
    is_registry: bool


def report_for(user: User, report: Report) -> ReportView:
    """The registry sees every report; anyone else a confirmed report holding a task they
    may see. Raises PermissionDenied otherwise."""
    tasks = tasks_of_report_visible_to(user, report)
    is_registry = user.role in REGISTRY_ROLES
    if not is_registry and (report.status is not ReportStatus.CONFIRMED or not tasks):
        raise PermissionDenied
    return ReportView(report, tasks, is_registry)


def owner_candidates() -> Sequence[User]:
    """Whom a reviewer may make a task's owner: every active user, Armenian and Latin names
    sorted together."""
    users = db.session.scalars(
        select(User).where(User.active.is_(True)).options(selectinload(User.department))
    ).all()
    return sorted(users, key=lambda user: sort_key(user.name))


# Those who usually own tasks; the registry and the admins can, but rarely should.
USUAL_OWNER_ROLES = (Role.OFFICER, Role.MANAGER)


@dataclass(frozen=True)
class OwnerGroup:
    """Candidates shown together where owners are chosen: a department's officers and
    managers, or, last, the registry and the admins (`usual` False), so that choosing one
    of them is deliberate."""

    label: str
    users: Sequence[User]
    usual: bool = True


def owner_groups(users: Sequence[User]) -> list[OwnerGroup]:
    """`users` (in the order to show them) grouped by department, departments by name, those
    without one after them, and the staff and administrators last."""
    by_department: dict[str, list[User]] = {}
    unusual: list[User] = []
    for user in users:
        if user.role not in USUAL_OWNER_ROLES:
            unusual.append(user)
        else:
            name = user.department.name if user.department else ""
            by_department.setdefault(name, []).append(user)
    groups = [
        OwnerGroup(name, members)
        for name, members in sorted(by_department.items(), key=lambda item: sort_key(item[0]))
        if name
    ]
    if "" in by_department:
        groups.append(OwnerGroup(str(_l("No department")), by_department[""]))
    if unusual:
        groups.append(
            OwnerGroup(str(_l("Staff and administrators (not usually owners)")), unusual, False)
        )
    return groups
