"""Reading the audit log (#12 item 8): the admins' filtered, paged list and its CSV export,
streamed in chunks so a year of entries never sits in memory at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, literal, or_, select

from tracker.audit import AuditKind
from tracker.extensions import db
from tracker.models import AuditEvent, Department, User
from tracker.policy_settings import BY_KEY

PER_PAGE = 50
EXPORT_CHUNK = 500

KIND_LABELS: dict[AuditKind, LazyString] = {
    AuditKind.SIGNED_IN: _l("Signed in"),
    AuditKind.SIGN_IN_FAILED: _l("Sign-in failed"),
    AuditKind.SIGN_IN_THROTTLED: _l("Sign-in slowed down"),
    AuditKind.SIGNED_OUT: _l("Signed out"),
    AuditKind.SESSIONS_ENDED: _l("Sessions ended"),
    AuditKind.PASSWORD_CHANGED: _l("Password changed"),
    AuditKind.PASSWORD_RESET_ASKED: _l("Password reset asked"),
    AuditKind.PASSWORD_RESET: _l("Password reset"),
    AuditKind.INVITATION_SENT: _l("Invitation sent"),
    AuditKind.USER_CREATED: _l("User created"),
    AuditKind.USER_CHANGED: _l("User changed"),
    AuditKind.USER_DEACTIVATED: _l("User deactivated"),
    AuditKind.USER_REACTIVATED: _l("User reactivated"),
    AuditKind.ABSENCE_SET: _l("Absence set"),
    AuditKind.ABSENCE_REMOVED: _l("Absence removed"),
    AuditKind.DEPARTMENT_CREATED: _l("Department created"),
    AuditKind.DEPARTMENT_CHANGED: _l("Department changed"),
    AuditKind.DEPARTMENT_REMOVED: _l("Department removed"),
    AuditKind.POLICY_CHANGED: _l("Reminder policy changed"),
    AuditKind.EMAIL_RESENT: _l("Email sent again"),
    AuditKind.DATA_EXPORTED: _l("Data exported"),
}


def kind_label(kind: str) -> str:
    """A stored kind as the admin reads it; a kind this version does not know, as stored."""
    try:
        return str(KIND_LABELS.get(AuditKind(kind), kind))
    except ValueError:
        return kind


@dataclass(frozen=True)
class AuditFilter:
    person: str = ""  # part of the actor's email or name, or of the user the entry is about
    kind: str = ""  # an AuditKind value
    start: date | None = None  # the organisation's days, both included
    end: date | None = None

    def as_details(self) -> dict[str, str]:
        """The filter as an export's own audit entry records it."""
        values = {"person": self.person, "kind": self.kind}
        values |= {"from": self.start.isoformat() if self.start else ""}
        values |= {"to": self.end.isoformat() if self.end else ""}
        return {key: value for key, value in values.items() if value}


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _local_midnight(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TRACKER_TIMEZONE"])
    return datetime.combine(day, time.min, zone).astimezone(UTC)


def query(filters: AuditFilter) -> Select[AuditEvent]:
    """The entries of the filter, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    person = filters.person.strip()
    if person:
        pattern = _contains(person)
        people = select(User.id).where(
            or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\"))
        )
        subjects = select(literal("user:") + User.id.cast(String)).where(User.id.in_(people))
        statement = statement.where(
            or_(
                AuditEvent.actor_label.ilike(pattern, escape="\\"),
                AuditEvent.actor_id.in_(people),
                AuditEvent.subject.in_(subjects),
            )
        )
    if filters.kind:
        statement = statement.where(AuditEvent.kind == filters.kind)
    if filters.start is not None:
        statement = statement.where(AuditEvent.created_at >= _local_midnight(filters.start))
    if filters.end is not None:
        after = _local_midnight(filters.end + timedelta(days=1))
        statement = statement.where(AuditEvent.created_at < after)
    return statement


def page_of(filters: AuditFilter, page: int) -> tuple[list[AuditEvent], int]:
    """One page of entries and the next page's number (0 on the last)."""
    statement = query(filters).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    rows = list(db.session.scalars(statement))
    return rows[:PER_PAGE], (page + 1 if len(rows) > PER_PAGE else 0)


# The detail keys this package writes, as the admin reads them; other keys show as stored.
DETAIL_LABELS: dict[str, LazyString] = {
    "format": _l("Format"),
    "rows": _l("Rows"),
    "filters": _l("Filters"),
    "to": _l("To"),
    "subject": _l("Subject"),
    "reset": _l("Reset to the default"),
    # Keys other features write, named as their forms name them.
    "remember": _l("Keep me signed in"),
    "role": _l("Role"),
    "email": _l("Email"),
    "name": _l("Full name"),
    "department": _l("Department"),
    "language": _l("Language"),
    "position": _l("Position"),
    "head": _l("Head"),
    "parent": _l("Parent department"),
    "substitute": _l("Substitute"),
    "reason": _l("Reason"),
}
# Subjects that are not a user or a department.
SUBJECT_LABELS: dict[str, LazyString] = {
    "policy": _l("Reminder policy"),
    "dashboard": _l("Dashboard"),
    "audit": _l("Audit log"),
}


def _detail_label(key: str) -> str:
    if key in BY_KEY:
        return str(BY_KEY[key].label)
    return str(DETAIL_LABELS.get(key, key))


def describe_details(details: dict[str, Any] | None) -> str:
    """`Planning hour: 9 → 7; …`: a change as [old, new], anything else as JSON."""
    parts = []
    for key, value in (details or {}).items():
        if value in ({}, [], "", None):
            continue
        if value is True and key == "reset":
            parts.append(_detail_label(key))
        elif isinstance(value, list) and len(value) == 2:
            old, new = _value(key, value[0]), _value(key, value[1])
            parts.append(f"{_detail_label(key)}: {old} → {new}")
        else:
            parts.append(f"{_detail_label(key)}: {_value(key, value)}")
    return "; ".join(parts)


ROLE_LABELS: dict[str, LazyString] = {
    "officer": _l("Officer"),
    "manager": _l("Manager"),
    "staff": _l("Staff"),
    "admin": _l("Administrator"),
}


def _value(key: str, value: Any) -> str:
    """A detail's value as the admin reads it: a role by its name in their language."""
    if key == "role" and isinstance(value, str) and value in ROLE_LABELS:
        return str(ROLE_LABELS[value])
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if value in ("on", "off"):  # the verification switch
        return str(_l("On") if value == "on" else _l("Off"))
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False)


def subject_names(entries: Sequence[AuditEvent]) -> dict[str, str]:
    """ "user:12" → the user's name and email, "department:3" → its name (one query each):
    the log keeps the ids, the admin reads who they are today."""
    ids: dict[str, set[int]] = {"user": set(), "department": set()}
    for entry in entries:
        kind, _, number = (entry.subject or "").partition(":")
        if kind in ids and number.isdigit():
            ids[kind].add(int(number))
    names: dict[str, str] = {}
    if ids["user"]:
        for user in db.session.scalars(select(User).where(User.id.in_(ids["user"]))):
            names[f"user:{user.id}"] = f"{user.name} <{user.email}>"
    if ids["department"]:
        found = db.session.scalars(select(Department).where(Department.id.in_(ids["department"])))
        for department in found:
            names[f"department:{department.id}"] = department.name
    return names


def subject_text(subject: str | None, names: Mapping[str, str]) -> str:
    """A subject as the admin reads it: a person or department by name, an email by its
    number in the outbox, a page by its title."""
    subject = subject or ""
    if subject in names:
        return names[subject]
    if subject in SUBJECT_LABELS:
        return str(SUBJECT_LABELS[subject])
    kind, _, number = subject.partition(":")
    if kind == "email" and number.isdigit():
        return str(_l("Email no. %(number)s", number=number))
    return subject


def csv_lines(filters: AuditFilter, headers: Sequence[str], moment: Any) -> Iterator[str]:
    """The CSV of the filter, a chunk of rows at a time (UTF-8 with a BOM, so Excel reads
    Armenian); `moment` words a UTC time in the organisation's time zone."""
    # The export module (and the dashboard it reads) is loaded by an export, not by every page.
    from tracker.dashboard.exports import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")
    writer.writerow(headers)
    yield flush()
    result = db.session.execute(query(filters).execution_options(yield_per=EXPORT_CHUNK))
    for partition in result.scalars().partitions():
        names = subject_names(partition)
        for entry in partition:
            writer.writerow(
                spreadsheet_safe(value)
                for value in (
                    moment(entry.created_at),
                    entry.actor_label or "",
                    kind_label(entry.kind),
                    subject_text(entry.subject, names),
                    describe_details(entry.details),
                    entry.address or "",
                )
            )
        yield flush()
