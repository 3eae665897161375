"""People and departments. Used by the admin pages, the CLI and the demo loader."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.auth.services import (
    InvalidEmailAddress,
    checked_email,
    find_user_by_email,
    hash_password,
)
from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES
from tracker.models import Department, Role, User
from tracker.permissions import PermissionDenied
from tracker.text import one_line

MIN_PASSWORD_LENGTH = 8


class AdminError(ValueError):
    """Input that cannot be applied; the message is shown to the user as is."""


def require_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied


def find_department(name: str) -> Department | None:
    # Exact match: SQLite's lower() folds only ASCII, so it cannot fold Armenian names.
    return db.session.scalar(select(Department).where(Department.name == name.strip()))


def _existing_department(name: str) -> Department:
    department = find_department(name)
    if department is None:
        raise AdminError(_l("There is no department named “%(name)s”.", name=name))
    return department


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(member.value for member in Role)
        raise AdminError(
            _l("Unknown role “%(role)s”: use one of %(choices)s.", role=role, choices=choices)
        ) from None


def create_user(
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    department: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    position: str | None = None,
) -> User:
    try:
        email = checked_email(email)
    except InvalidEmailAddress:
        raise AdminError(
            _l(
                "“%(email)s” is not a valid email address: check it for typos such as "
                "spaces, two dots in a row or a missing part.",
                email=one_line(email.strip()),
            )
        ) from None
    if not name.strip():
        raise AdminError(_l("A user needs a name."))
    parsed_role = _parse_role(role)
    if language not in LANGUAGES:
        raise AdminError(_l("Unknown language “%(language)s”: use hy or en.", language=language))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError(
            _l("The password needs at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        )
    if find_user_by_email(email) is not None:
        raise AdminError(_l("A user with the email %(email)s already exists.", email=email))
    user = User(
        email=email,
        name=name.strip(),
        position=(position or "").strip()[:200] or None,
        role=parsed_role,
        language=language,
        password_hash=hash_password(password),
        department=_existing_department(department) if department else None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _would_make_cycle(department: Department, parent: Department) -> bool:
    ancestor: Department | None = parent
    while ancestor is not None:
        if ancestor.id == department.id or ancestor is department:
            return True
        ancestor = ancestor.parent
    return False


def save_department(
    name: str, *, head_email: str | None = None, parent: str | None = None
) -> tuple[Department, bool]:
    """Create the department, or set the head and parent of an existing one.

    Returns the department and whether it was created.
    """
    if not name.strip():
        raise AdminError(_l("A department needs a name."))
    department = find_department(name)
    created = department is None
    if department is None:
        department = Department(name=name.strip())
        db.session.add(department)
    if head_email:
        head = find_user_by_email(head_email)
        if head is None:
            raise AdminError(_l("There is no user with the email %(email)s.", email=head_email))
        department.head = head
    if parent:
        parent_department = _existing_department(parent)
        if _would_make_cycle(department, parent_department):
            raise AdminError(
                _l(
                    "“%(parent)s” is inside “%(name)s”, so it cannot be its parent.",
                    parent=parent_department.name,
                    name=department.name,
                )
            )
        department.parent = parent_department
    db.session.flush()
    return department, created


def list_users() -> Sequence[User]:
    query = select(User).options(selectinload(User.department)).order_by(User.name)
    return db.session.scalars(query).all()


def list_departments() -> Sequence[Department]:
    query = (
        select(Department)
        .options(selectinload(Department.head), selectinload(Department.parent))
        .order_by(Department.name)
    )
    return db.session.scalars(query).all()
