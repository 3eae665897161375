"""Words caused by users' actions (not by the daily planner): who decides on a task
(`deciders`), and how a notice reads on the notifications page and in the event email
(`describe`). One email to a person in their language is tracker.outbox_mail's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.display import format_day
from tracker.extensions import db
from tracker.models import Department, Notice, NoticeKind, Role, Task, User
from tracker.notifications.policy import DepartmentFacts, Organisation, escalation_recipients


def _organisation_above(users: Iterable[User]) -> Organisation:
    """The part of the organisation the first escalation about these users can reach: their
    departments and every department above (one recursive query, which ends even on a
    cyclic tree), and the active admins, who receive it at the top."""
    user_departments = {user.id: user.department_id for user in users}
    start = {i for i in user_departments.values() if i is not None}
    departments: dict[int, DepartmentFacts] = {}
    if start:
        columns = (Department.id, Department.parent_id, Department.head_id)
        chain = select(*columns).where(Department.id.in_(start)).cte(recursive=True)
        chain = chain.union(select(*columns).where(Department.id == chain.c.parent_id))
        departments = {
            row.id: DepartmentFacts(row.id, row.parent_id, row.head_id)
            for row in db.session.execute(select(chain))
        }
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    ).all()
    return Organisation(departments, user_departments, tuple(admins))


def deciders(task: Task, actor: User) -> list[User]:
    """Who decides on the task's deadline: whoever its first escalation would reach (the
    heads of the owners' departments, or the admins at the top of the tree), by the
    policy's own rule; only those people are loaded."""
    owners = list(task.owners) or [actor]
    recipients = escalation_recipients(
        [owner.id for owner in owners], 1, _organisation_above(owners)
    )
    wanted = [user_id for user_id in recipients if user_id != actor.id]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(wanted), User.active.is_(True)).order_by(User.id)
        )
    )


# --- How a notice reads --------------------------------------------------------------------

# The task's fields as the history names them (templates/_macros.html, history_field).
FIELD_NAMES = {
    "title": _l("Recommendation"),
    "description": _l("Description"),
    "deadline": _l("Deadline"),
    "deadline_text": _l("Deadline as written"),
    "expected_result": _l("Expected result"),
    "method": _l("Method and form"),
    "owners": _l("Responsible"),
    "status": _l("Status"),
}


@dataclass(frozen=True)
class NoticeText:
    """What happened, in one line, and what the person wrote with it (a reason, a note, a
    comment's first words), if anything."""

    line: str
    note: str | None = None


def _day_text(value: object) -> str:
    if not isinstance(value, str) or not value:
        return _("no deadline")
    try:
        return format_day(date.fromisoformat(value), get_locale())
    except ValueError:
        return value


def _names(values: object) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else ""


def _owners_line(actor: str, details: Mapping[str, object]) -> str:
    added, removed = _names(details.get("added")), _names(details.get("removed"))
    if added and removed:
        return _(
            "%(actor)s changed the owners: added %(added)s, removed %(removed)s",
            actor=actor,
            added=added,
            removed=removed,
        )
    if removed:
        return _("%(actor)s took %(names)s off the task", actor=actor, names=removed)
    return _("%(actor)s added %(names)s to the owners", actor=actor, names=added)


def _status_line(actor: str, details: Mapping[str, object]) -> str:
    status = details.get("status")
    if status == "cancelled":
        return _("%(actor)s cancelled the task", actor=actor)
    if status == "awaiting_acceptance":
        return _("%(actor)s marked the task done; it awaits acceptance", actor=actor)
    if details.get("accepted"):
        return _("%(actor)s accepted the task as done", actor=actor)
    return _("%(actor)s marked the task done", actor=actor)


def _edited_line(actor: str, details: Mapping[str, object]) -> str:
    fields = details.get("fields")
    names = [str(FIELD_NAMES.get(str(f), f)) for f in fields] if isinstance(fields, list) else []
    return _("%(actor)s edited the task: %(fields)s", actor=actor, fields=", ".join(names))


def _decided_line(actor: str, details: Mapping[str, object]) -> str:
    day = _day_text(details.get("new"))
    if details.get("approved"):
        return _("%(actor)s granted more time: the deadline is now %(date)s", actor=actor, date=day)
    return _("%(actor)s refused the request for more time, until %(date)s", actor=actor, date=day)


def _line(kind: NoticeKind, actor: str, details: Mapping[str, object]) -> str:
    """The notice's line in the current language (a chain of small cases; each reads alone)."""
    simple = {
        NoticeKind.ASSIGNED: lambda: _("%(actor)s gave you this task", actor=actor),
        NoticeKind.UNASSIGNED: lambda: _("%(actor)s took you off this task", actor=actor),
        NoticeKind.DEADLINE_CHANGED: lambda: _(
            "%(actor)s changed the deadline from %(old)s to %(new)s",
            actor=actor,
            old=_day_text(details.get("old")),
            new=_day_text(details.get("new")),
        ),
        NoticeKind.RETURNED: lambda: _("%(actor)s returned the task for more work", actor=actor),
        NoticeKind.REOPENED: lambda: _("%(actor)s reopened the task", actor=actor),
        NoticeKind.AWAITING_ACCEPTANCE: lambda: _(
            "%(actor)s marked the task done; it awaits your acceptance", actor=actor
        ),
        NoticeKind.EXTENSION_REQUESTED: lambda: _(
            "%(actor)s asks for more time: from %(old)s to %(new)s",
            actor=actor,
            old=_day_text(details.get("old")),
            new=_day_text(details.get("new")),
        ),
        NoticeKind.COMMENTED: lambda: _("%(actor)s commented", actor=actor),
    }
    if kind in simple:
        return simple[kind]()
    worded = {
        NoticeKind.OWNERS_CHANGED: _owners_line,
        NoticeKind.STATUS_CHANGED: _status_line,
        NoticeKind.COMPLETED: _status_line,  # done, or accepted as done
        NoticeKind.EDITED: _edited_line,
        NoticeKind.EXTENSION_DECIDED: _decided_line,
    }
    return worded[kind](actor, details)


def describe(notice: Notice) -> NoticeText:
    """How the notice reads in the current language (force_locale for an email)."""
    actor = notice.actor.name if notice.actor is not None else _("System")
    details = notice.details or {}
    note = details.get("reason") or details.get("note") or details.get("excerpt")
    return NoticeText(_line(notice.kind, actor, details), str(note) if note else None)
