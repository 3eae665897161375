"""People and departments. Used by the admin pages, the CLI and the demo loader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from tracker import audit
from tracker.audit import AuditKind
from tracker.auth.accounts import (
    PasswordRefused,
    check_new_password,
    send_invitation,
    unusable_password_hash,
)
from tracker.auth.services import (
    InvalidEmailAddress,
    checked_email,
    end_all_sessions,
    find_user_by_email,
    hash_password,
)
from tracker.extensions import db
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES
from tracker.models import Department, OutboxMessage, OutboxStatus, Role, Task, User, utcnow
from tracker.permissions import PermissionDenied
from tracker.tasks.permissions import OVERSEERS, department_subtree_ids
from tracker.text import one_line


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


def _checked_address(email: str) -> str:
    try:
        return checked_email(email)
    except InvalidEmailAddress:
        raise AdminError(
            _l(
                "“%(email)s” is not a valid email address: check it for typos such as "
                "spaces, two dots in a row or a missing part.",
                email=one_line(email.strip()),
            )
        ) from None


def _checked_language(language: str) -> str:
    if language not in LANGUAGES:
        raise AdminError(_l("Unknown language “%(language)s”: use hy or en.", language=language))
    return language


def create_user(
    email: str,
    name: str,
    role: str,
    password: str | None,
    *,
    department: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    position: str | None = None,
    actor: User | None = None,
    address: str | None = None,
) -> User:
    """A new account. Without a password, none matches until the person sets theirs from the
    invitation (`invite`), so no administrator ever knows it. A password given here is taken
    as it is (the demo's are short on purpose): callers that take one from a person check it
    with `check_password_rules` first, as the CLI does."""
    email = _checked_address(email)
    if not name.strip():
        raise AdminError(_l("A user needs a name."))
    parsed_role = _parse_role(role)
    _checked_language(language)
    if password is not None and not password:
        raise AdminError(_l("The password cannot be empty."))
    if find_user_by_email(email) is not None:
        raise AdminError(_l("A user with the email %(email)s already exists.", email=email))
    user = User(
        email=email,
        name=name.strip(),
        position=(position or "").strip()[:200] or None,
        role=parsed_role,
        language=language,
        password_hash=hash_password(password) if password is not None else unusable_password_hash(),
        password_changed_at=utcnow() if password is not None else None,
        department=_existing_department(department) if department else None,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        AuditKind.USER_CREATED,
        actor=actor,
        subject=audit.about(user),
        details={"email": user.email, "role": user.role.value, "language": user.language},
        address=address,
    )
    return user


def add_invited_user(
    email: str,
    name: str,
    role: str,
    *,
    department: str | None,
    language: str,
    position: str | None,
    actor: User,
    address: str | None,
) -> User:
    """The admin page's "Add user": the account, without a password, and its invitation."""
    require_admin(actor)
    user = create_user(
        email,
        name,
        role,
        None,
        department=department,
        language=language,
        position=position,
        actor=actor,
        address=address,
    )
    invite(user, actor, address=address)
    return user


def check_password_rules(password: str, email: str) -> None:
    """The NIST rules of tracker.auth.passwords, as an AdminError."""
    try:
        check_new_password(password, email.strip().lower())
    except PasswordRefused as refusal:
        raise AdminError(str(refusal)) from None


def invite(user: User, actor: User | None, *, address: str | None = None) -> None:
    """Send (or send again) the invitation to set a password; only to an active user.
    Any password set since makes the older invitations' links stop working."""
    if actor is not None:
        require_admin(actor)
    if not user.active:
        raise AdminError(
            _l("%(name)s is deactivated: reactivate the account first.", name=user.name)
        )
    send_invitation(user, actor, address=address)


@dataclass(frozen=True)
class UserChanges:
    """What an administrator may edit on an account (its password is the person's own)."""

    name: str
    email: str
    role: str
    department_id: int | None
    language: str
    position: str | None = None


def _department_by_id(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = db.session.get(Department, department_id)
    if department is None:
        raise AdminError(_l("This department no longer exists."))
    return department


@dataclass(frozen=True)
class _Account:
    """An edit's values once checked: what the account will hold."""

    name: str
    email: str
    role: Role
    department: Department | None
    language: str
    position: str | None

    def fields(self) -> dict[str, object]:
        """As the audit log records them (the department by its name)."""
        return {
            "name": self.name,
            "email": self.email,
            "role": self.role.value,
            "department": self.department.name if self.department else None,
            "language": self.language,
            "position": self.position,
        }


def _checked_changes(user: User, changes: UserChanges, actor: User) -> _Account:
    email = _checked_address(changes.email)
    if not changes.name.strip():
        raise AdminError(_l("A user needs a name."))
    role = _parse_role(changes.role)
    other = find_user_by_email(email)
    if other is not None and other.id != user.id:
        raise AdminError(_l("A user with the email %(email)s already exists.", email=email))
    if user.id == actor.id and role is not Role.ADMIN:
        raise AdminError(_l("You cannot take the administrator role from yourself."))
    return _Account(
        name=changes.name.strip(),
        email=email,
        role=role,
        department=_department_by_id(changes.department_id),
        language=_checked_language(changes.language),
        position=(changes.position or "").strip()[:200] or None,
    )


def _current(user: User) -> _Account:
    return _Account(user.name, user.email, user.role, user.department, user.language, user.position)


def update_user(
    user: User, changes: UserChanges, actor: User, *, address: str | None = None
) -> dict[str, list[object]]:
    """Apply the edit; records USER_CHANGED with each changed field's old and new value.
    Returns those differences (empty: nothing changed, nothing recorded)."""
    require_admin(actor)
    wanted = _checked_changes(user, changes, actor)
    before, after = _current(user).fields(), wanted.fields()
    differences = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not differences:
        return {}
    user.name, user.email, user.role = wanted.name, wanted.email, wanted.role
    user.department, user.language, user.position = (
        wanted.department,
        wanted.language,
        wanted.position,
    )
    db.session.flush()
    audit.record(
        AuditKind.USER_CHANGED,
        actor=actor,
        subject=audit.about(user),
        details=differences,
        address=address,
    )
    return differences


WITHHELD_FOR_DEACTIVATION = "Not sent: the recipient's account was deactivated."


def deactivate_user(user: User, actor: User, *, address: str | None = None) -> None:
    """The person leaves: no sign-in (every session ends now), no mail; their unfinished
    tasks show on the dashboard as tasks without an active owner."""
    require_admin(actor)
    if user.id == actor.id:
        raise AdminError(_l("You cannot deactivate your own account."))
    if not user.active:
        return
    user.active = False
    user.deactivated_at = utcnow()
    end_all_sessions(user, actor=actor, address=address, audited=False)
    # Mail already written to them and not yet sent stays unsent, visibly: the outbox shows
    # why, and an administrator can send it again after a reactivation.
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == user.id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.FAILED, last_error=WITHHELD_FOR_DEACTIVATION)
    )
    audit.record(
        AuditKind.USER_DEACTIVATED,
        actor=actor,
        subject=audit.about(user),
        address=address,
    )


def reactivate_user(user: User, actor: User, *, address: str | None = None) -> None:
    """The account works again, with its password; the sessions ended stay ended."""
    require_admin(actor)
    if user.active:
        return
    user.active = True
    user.deactivated_at = None
    audit.record(
        AuditKind.USER_REACTIVATED, actor=actor, subject=audit.about(user), address=address
    )


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


# Departments (#12 item 5): added from the list, then renamed, moved, given a head or removed
# from each one's own page; every change recorded in the audit log.


def add_department(
    name: str,
    *,
    head_email: str | None = None,
    parent: str | None = None,
    actor: User,
    address: str | None = None,
) -> Department:
    """A new department from the list page. An existing name is refused: it is changed from
    its own page, never by retyping its name."""
    require_admin(actor)
    existing = find_department(name)
    if existing is not None:
        raise AdminError(_duplicate_name(existing.name))
    department, _created = save_department(name, head_email=head_email, parent=parent)
    audit.record(
        AuditKind.DEPARTMENT_CREATED,
        actor=actor,
        subject=audit.about(department),
        details=_department_facts(department),
        address=address,
    )
    return department


def _duplicate_name(name: str) -> str:
    return str(
        _l(
            "There is already a department named “%(name)s”: change it from its Edit link.",
            name=name,
        )
    )


def _department_facts(department: Department) -> dict[str, str | None]:
    return {
        "name": department.name,
        "parent": department.parent.name if department.parent else None,
        "head": department.head.email if department.head else None,
    }


@dataclass(frozen=True)
class DepartmentChanges:
    """What the edit page submits: the name as typed, the parent's and the head's ids (None:
    at the top, no head)."""

    name: str
    parent_id: int | None
    head_id: int | None


def update_department(
    department: Department,
    changes: DepartmentChanges,
    actor: User,
    *,
    address: str | None = None,
) -> bool:
    """Rename, move and give a head. Returns whether the saved head cannot see the dashboard
    (an officer): saved all the same, the caller warns."""
    require_admin(actor)
    name = " ".join(changes.name.split())
    if not name:
        raise AdminError(_l("A department needs a name."))
    namesake = find_department(name)
    if namesake is not None and namesake.id != department.id:
        raise AdminError(_duplicate_name(namesake.name))
    parent = _chosen_parent(department, changes.parent_id)
    head = _chosen_head(changes.head_id)
    before = _department_facts(department)
    department.name, department.parent, department.head = name, parent, head
    db.session.flush()
    after = _department_facts(department)
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        audit.record(
            AuditKind.DEPARTMENT_CHANGED,
            actor=actor,
            subject=audit.about(department),
            details=changed,
            address=address,
        )
    return head is not None and not can_see_dashboard(head)


def can_see_dashboard(user: User) -> bool:
    return user.role in OVERSEERS


def _chosen_parent(department: Department, parent_id: int | None) -> Department | None:
    if parent_id is None:
        return None
    parent = db.session.get(Department, parent_id)
    if parent is None:
        raise AdminError(_l("That department no longer exists."))
    if _would_make_cycle(department, parent):
        raise AdminError(
            _l(
                "“%(parent)s” is inside “%(name)s”, so it cannot be its parent.",
                parent=parent.name,
                name=department.name,
            )
        )
    return parent


def _chosen_head(head_id: int | None) -> User | None:
    if head_id is None:
        return None
    head = db.session.get(User, head_id)
    if head is None or not head.active:
        raise AdminError(_l("Choose the head among the people who can sign in."))
    return head


@dataclass(frozen=True)
class DepartmentContents:
    people: int
    departments: int
    tasks: int

    @property
    def empty(self) -> bool:
        return not (self.people or self.departments or self.tasks)


def department_contents(department: Department) -> DepartmentContents:
    def count(column: InstrumentedAttribute[int | None]) -> int:
        return db.session.scalar(select(func.count()).where(column == department.id)) or 0

    return DepartmentContents(
        people=count(User.department_id),
        departments=count(Department.parent_id),
        tasks=count(Task.department_id),
    )


def department_and_inner_ids(department: Department) -> set[int]:
    """The department's id and those of every department inside it, at any depth."""
    return set(db.session.scalars(department_subtree_ids(department.id)))


def remove_department(
    department: Department,
    actor: User,
    *,
    move_to: Department | None = None,
    address: str | None = None,
) -> DepartmentContents:
    """Remove a department. One that still has people, departments or tasks is removed only
    together with moving them all to `move_to`, in the same transaction."""
    require_admin(actor)
    contents = department_contents(department)
    if not contents.empty and move_to is None:
        raise AdminError(
            _l(
                "“%(name)s” still has people, departments or tasks: choose the department "
                "they move to.",
                name=department.name,
            )
        )
    if move_to is not None and move_to.id in department_and_inner_ids(department):
        raise AdminError(
            _l(
                "“%(target)s” is “%(name)s” or inside it: choose a department outside it.",
                target=move_to.name,
                name=department.name,
            )
        )
    target_id = move_to.id if move_to is not None else None
    for model, column in (
        (User, User.department_id),
        (Department, Department.parent_id),
        (Task, Task.department_id),
    ):
        db.session.execute(
            update(model).where(column == department.id).values({column: target_id}),
            execution_options={"synchronize_session": "fetch"},
        )
    # The collections loaded before the moves must not be "emptied" again on delete.
    db.session.expire(department)
    details: dict[str, object] = {
        "name": department.name,
        "moved_to": move_to.name if move_to is not None else None,
        "people": contents.people,
        "departments": contents.departments,
        "tasks": contents.tasks,
    }
    audit.record(
        AuditKind.DEPARTMENT_REMOVED,
        actor=actor,
        subject=audit.about(department),
        details=details,
        address=address,
    )
    db.session.delete(department)
    db.session.flush()
    return contents
