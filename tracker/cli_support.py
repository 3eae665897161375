"""What every `tracker` command shares: one clear line and status 2 for bad input, and
commands whose code is imported only when they run."""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

import click


class CommandError(click.ClickException):
    """Bad input to a command: `Error: <message>` on stderr, exit status 2, no traceback."""

    exit_code = 2


def parse_as_of(value: str | None, today: date) -> date:
    """The day an --as-of option names; today without one."""
    if value is None:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


def parse_past_as_of(value: str | None, today: date) -> date:
    """As parse_as_of, refusing a day after today: a command that records what it did for a
    period (a digest's dedupe key, a kept month) must not record a period not yet over."""
    day = parse_as_of(value, today)
    if day > today:
        raise CommandError(f"--as-of {day} is after today ({today})")
    return day


class LazyCommand(click.Command):
    """A command (or group) imported only when it runs, from `target` ("module:attribute").

    Every `tracker` command builds the application, which lists every command; one whose code
    is heavy (Flask-Migrate imports Alembic) would slow all the others down. `tracker --help`
    lists this stand-in with `help`; running it, its `--help` included, imports the real
    command and hands it the arguments.
    """

    def __init__(self, name: str, target: str, *, help: str) -> None:
        super().__init__(name, help=help, add_help_option=False)
        self.target = target

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Click runs a subcommand as `cmd.make_context(...)` then `ctx.command.invoke(ctx)`:
        # the context made here belongs to the real command, which therefore runs.
        return self.load().make_context(info_name, args, parent=parent, **extra)
