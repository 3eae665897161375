"""What every `tracker` command shares: one clear line and status 2 for bad input."""

from __future__ import annotations

import click


class CommandError(click.ClickException):
    """Bad input to a command: `Error: <message>` on stderr, exit status 2, no traceback."""

    exit_code = 2
