from __future__ import annotations

import click

from tracker.demo.blueprint import bp
from tracker.unit_of_work import unit_of_work


@bp.cli.command("demo")
def demo() -> None:
    """Load the demo departments, users and sample reports (safe to run again)."""
    # Imported here: the demo reaches every feature and the report parser, which the other
    # commands need not load.
    from tracker.demo.services import load_demo

    with unit_of_work():
        logins = load_demo()
    click.echo("Demo data is loaded. Sign in at /login with:")
    for login in logins:
        click.echo(
            f"  {login.role:<8} {login.email:<18} password: {login.password:<14} {login.name}"
        )
