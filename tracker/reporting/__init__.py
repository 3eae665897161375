"""Reports for leadership (#14): the progress report (HTML to print, PDF), the monthly
leadership digest mailed through the outbox. Reads through the dashboard's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """The leadership digest (called by the factory): planned by the notifications
    scheduler's daily run, through its hook, and `tracker leadership-digest` by hand. A bad
    TRACKER_LEADERSHIP_DIGEST or _DAY stops the start with one clear line."""
    from tracker.cli_support import LazyCommand
    from tracker.notifications.jobs import add_daily_planner
    from tracker.reporting.leadership import DigestSchedule, plan_if_due

    DigestSchedule.from_config(app.config)
    add_daily_planner(app, plan_if_due)
    app.cli.add_command(
        LazyCommand(
            "leadership-digest",
            "tracker.reporting.commands:leadership_digest",
            help="Plan the leadership digests owed for the last finished period, and deliver.",
        )
    )
