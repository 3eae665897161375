"""`tracker trends keep`: the trends' closed months kept by hand, as the scheduler keeps
them each day (loaded only when it runs: see tracker/dashboard/__init__.py)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from tracker.cli_support import parse_past_as_of
from tracker.dashboard.trend_store import KEPT_MONTHS, keep_closed_months
from tracker.i18n import org_today
from tracker.unit_of_work import unit_of_work


def _parse_day(value: str | None) -> date:
    # A month not closed yet would be kept with the figures of today.
    return parse_past_as_of(value, org_today())


@click.group("trends")
def trends() -> None:
    """The dashboard's trends."""


@trends.command("keep")
@click.option("--as-of", "as_of", default=None, help="Keep as on this day (YYYY-MM-DD).")
def keep(as_of: str | None) -> None:
    """Keep each scope's figures at the end of every closed month of the last twelve that
    has none yet (what the scheduler does each day); safe to run again."""
    day = _parse_day(as_of)
    with unit_of_work():
        kept = keep_closed_months(day, current_app.config["TRACKER_TIMEZONE"], KEPT_MONTHS)
    click.echo(f"{day}: {kept} month(s) kept.")
