"""The managers' dashboard: figures, overdue lists and exports, all from SQL aggregates."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """The trends' closed months (called by the factory): kept by the notifications
    scheduler's daily run, through its hook, and `tracker trends keep` by hand."""
    from tracker.cli_support import LazyCommand
    from tracker.dashboard.trend_store import plan_kept_months
    from tracker.notifications.jobs import add_daily_planner

    add_daily_planner(app, plan_kept_months)
    app.cli.add_command(
        LazyCommand(
            "trends",
            "tracker.dashboard.commands:trends",
            help="Keep the dashboard trends' closed months (`tracker trends keep`).",
        )
    )
