"""Absences with a substitute (#12 item 6): a user away from one day to another names who
stands in for them; meanwhile their reminders and escalations reach the substitute
(tracker.notifications.policy.stand_in) and the substitute may act on their tasks
(tracker.tasks.permissions.covered_by).

A user sets and removes their own absences; an admin does it for anyone. Every change is
recorded in the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from tracker import audit
from tracker.audit import AuditKind
from tracker.extensions import db
from tracker.models import Absence, Role, User
from tracker.permissions import PermissionDenied


class AbsenceRefused(Exception):
    """An absence that cannot be recorded, with the reason in the user's language."""

    def __init__(self, message: str, field: str = "starts_on") -> None:
        super().__init__(message)
        self.field = field  # the form field the message belongs to


def may_set_absence(actor: User, user: User) -> bool:
    """Everyone for themselves; admins for anyone."""
    return actor.id == user.id or actor.role is Role.ADMIN


def _require(actor: User, user: User) -> None:
    if not may_set_absence(actor, user):
        raise PermissionDenied


def absences_of(user: User, today: date) -> Sequence[Absence]:
    """The user's absences that have not ended yet, the soonest first."""
    query = (
        select(Absence)
        .where(Absence.user_id == user.id, Absence.ends_on >= today)
        .order_by(Absence.starts_on, Absence.id)
    )
    return db.session.scalars(query).all()


def substitute_candidates(user: User) -> Sequence[User]:
    """Who may stand in for `user`: every other active user, by name."""
    query = select(User).where(User.active.is_(True), User.id != user.id).order_by(User.name)
    return db.session.scalars(query).all()


def _absent_on(user_id: int, first: date, last: date) -> bool:
    """Whether `user_id` has an absence sharing a day with first..last."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Absence.user_id == user_id,
                    Absence.starts_on <= last,
                    Absence.ends_on >= first,
                )
            )
        )
    )


def _validate(user: User, starts_on: date, ends_on: date, substitute: User, today: date) -> None:
    if ends_on < starts_on:
        raise AbsenceRefused(str(_l("The last day cannot be before the first day.")), "ends_on")
    if ends_on < today:
        raise AbsenceRefused(str(_l("This absence is already over.")), "ends_on")
    if substitute.id == user.id:
        raise AbsenceRefused(str(_l("Choose someone else as the substitute.")), "substitute")
    if not substitute.active:
        raise AbsenceRefused(str(_l("The substitute can no longer sign in.")), "substitute")
    # A substitute away on the first day could not take over; later gaps are covered by
    # their own substitute (the notices follow the chain).
    if _absent_on(substitute.id, starts_on, starts_on):
        raise AbsenceRefused(
            str(_l("The substitute is absent on the first day of this absence.")), "substitute"
        )
    if _absent_on(user.id, starts_on, ends_on):
        raise AbsenceRefused(str(_l("This absence overlaps another one of the same person.")))


def set_absence(
    actor: User,
    user: User,
    *,
    starts_on: date,
    ends_on: date,
    substitute: User,
    note: str | None,
    today: date,
    address: str | None = None,
) -> Absence:
    """Record that `user` is away from `starts_on` to `ends_on` (inclusive), with
    `substitute` standing in. Raises PermissionDenied or AbsenceRefused."""
    _require(actor, user)
    _validate(user, starts_on, ends_on, substitute, today)
    absence = Absence(
        user=user,
        substitute=substitute,
        starts_on=starts_on,
        ends_on=ends_on,
        note=(note or "").strip() or None,
        created_by=actor,
    )
    db.session.add(absence)
    db.session.flush()
    audit.record(
        AuditKind.ABSENCE_SET,
        actor=actor,
        subject=audit.about(user),
        details={
            "absence": absence.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "substitute": substitute.id,
        },
        address=address,
    )
    return absence


def remove_absence(actor: User, absence: Absence, *, address: str | None = None) -> None:
    """Remove an absence (ended early, or entered by mistake): from now on the person's
    notices reach them again."""
    _require(actor, absence.user)
    audit.record(
        AuditKind.ABSENCE_REMOVED,
        actor=actor,
        subject=audit.about(absence.user),
        details={
            "absence": absence.id,
            "starts_on": absence.starts_on.isoformat(),
            "ends_on": absence.ends_on.isoformat(),
            "substitute": absence.substitute_id,
        },
        address=address,
    )
    db.session.delete(absence)
