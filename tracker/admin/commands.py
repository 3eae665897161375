from __future__ import annotations

import secrets

import click

from tracker.admin.blueprint import bp
from tracker.admin.services import AdminError, create_user, save_department
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
@click.option("--password", default=None, help="Generated and printed when not given.")
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
    language: str,
) -> None:
    """Add a user who signs in with EMAIL."""
    chosen_password = password or secrets.token_urlsafe(12)
    try:
        with unit_of_work():
            user = create_user(
                email, name, role, chosen_password, department=department, language=language
            )
    except AdminError as error:
        raise CommandError(str(error)) from None
    click.echo(f"Added {user.role} {user.name} <{user.email}>.")
    if password is None:
        click.echo(f"Password: {chosen_password}")


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
