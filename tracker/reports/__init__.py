"""Trip reports: the pure parser (`parsing`), import services, pages and `tracker import`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Scanned reports (#15): what waits to be read is read by the scheduler's minute job
    (through tracker.background's hook) and by `tracker read-scans`."""
    from tracker.background import add_minute_job
    from tracker.cli_support import LazyCommand

    add_minute_job(app, read_waiting_scans)
    app.cli.add_command(
        LazyCommand(
            "read-scans",
            "tracker.reports.commands:read_scans_command",
            help="Read the scanned reports waiting for OCR, now.",
        )
    )


def read_waiting_scans() -> None:
    # Imported when the job runs: OCR's modules stay out of every other command.
    from tracker.reports.scan_jobs import read_waiting_scans as read

    read()
