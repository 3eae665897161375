"""Who may see which report, and whom a reviewer may choose as a task's owner: the rules
the report pages apply, kept out of the views."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Report, ReportStatus, Task, User
from tracker.permissions import PermissionDenied
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
    """Whom a reviewer may make a task's owner: every active user, by name."""
    return db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
