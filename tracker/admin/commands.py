from __future__ import annotations

import secrets

import click

from tracker.admin.blueprint import bp
from tracker.admin.services import (
    AdminError,
    check_password_rules,
    create_user,
    invite,
    save_department,
)
from tracker.auth.services import find_user_by_email
from tracker.cli_support import CommandError
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES
from tracker.unit_of_work import unit_of_work


@bp.cli.group("users")
def users() -> None:
    """Manage the people who use the tracker."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as written in the reports.")
@click.option("--role", required=True, help="officer, manager, staff or admin.")
@click.option("--department", default=None, help="Name of an existing department.")
@click.option(
    "--password",
    default=None,
    help="At least 12 characters, not a common one. Generated and printed when not given.",
)
@click.option(
    "--invite",
    "send_invite",
    is_flag=True,
    help="Email an invitation to set a password instead (nothing is printed).",
)
@click.option(
    "--lang",
    "language",
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help=f"{' or '.join(LANGUAGES)}.",
)
def add_user(
    email: str,
    name: str,
    role: str,
    department: str | None,
    password: str | None,
    send_invite: bool,
    language: str,
) -> None:
    """Add a user who signs in with EMAIL."""
    if send_invite and password is not None:
        raise CommandError("Give either --password or --invite, not both.")
    chosen_password = None if send_invite else (password or secrets.token_urlsafe(12))
    try:
        if password is not None:
            check_password_rules(password, email)
        with unit_of_work():
            user = create_user(
                email, name, role, chosen_password, department=department, language=language
            )
            if send_invite:
                invite(user, None)
    except AdminError as error:
        raise CommandError(str(error)) from None
    click.echo(f"Added {user.role} {user.name} <{user.email}>.")
    if send_invite:
        click.echo(f"Invitation to set a password queued for {user.email}.")
    elif password is None:
        click.echo(f"Password: {chosen_password}")


@users.command("invite")
@click.argument("email")
def invite_user(email: str) -> None:
    """Email EMAIL's user a new invitation to set a password (the older links stop working
    once a password is set)."""
    user = find_user_by_email(email)
    if user is None:
        raise CommandError(f"There is no user with the email {email}.")
    try:
        with unit_of_work():
            invite(user, None)
    except AdminError as error:
        raise CommandError(str(error)) from None
    click.echo(f"Invitation to set a password queued for {user.email}.")


@bp.cli.group("departments")
def departments() -> None:
    """Manage the department tree."""


@departments.command("add")
@click.argument("name")
@click.option("--head", "head_email", default=None, help="Email of the head of the department.")
@click.option("--parent", default=None, help="Name of the parent department.")
def add_department(name: str, head_email: str | None, parent: str | None) -> None:
    """Create department NAME, or set the head or parent of an existing one."""
    try:
        with unit_of_work():
            department, created = save_department(name, head_email=head_email, parent=parent)
    except AdminError as error:
        raise CommandError(str(error)) from None
    click.echo(f"{'Created' if created else 'Updated'} department {department.name}.")
