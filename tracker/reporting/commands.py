"""`tracker leadership-digest`: the leadership digests owed by hand, as the scheduler plans
them (loaded only when it runs: see tracker/reporting/__init__.py)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from tracker.cli_support import CommandError, parse_past_as_of
from tracker.i18n import org_today
from tracker.notifications.commands import (
    EXIT_UNDELIVERED,
    delivery_payload,
    print_delivery,
)
from tracker.notifications.jobs import deliver_outbox, stop_on_signals
from tracker.notifications.outbox import DeliveryReport
from tracker.reporting.leadership import DigestRun, plan_leadership_digests
from tracker.reporting.periods import YEARS, Period
from tracker.text import one_line


def _parse_day(value: str | None) -> date:
    # A digest planned for a period that has not ended would take its dedupe key.
    day = parse_past_as_of(value, org_today())
    if day.year not in YEARS:  # 0001-01-01 has no period before it to report on
        raise CommandError(f"--as-of {day} is not a day a period can be reported on")
    return day


def _parse_period(value: str | None, today: date) -> Period | None:
    if value is None:
        return None
    period = Period.parse(value)
    if period is None or period.kind == "year":
        raise CommandError(f"--period {value!r} is not a month (2026-10) or a quarter (2026-Q3)")
    if period.end >= today:
        raise CommandError(f"--period {period.key} has not ended on {today}")
    return period


def _payload(run: DigestRun, delivery: DeliveryReport | None) -> dict[str, Any]:
    return {
        "as_of": run.as_of.isoformat(),
        "period": run.period.key if run.period else None,
        "dry_run": run.dry_run,
        "emails": [
            {"to": user.email, "subject": message.subject if message else None}
            for user, message in run.written
        ],
        "already_written": run.already,
        "skipped": [{"to": user.email, "why": why} for user, why in run.skipped],
        "errors": [{"to": user.email, "error": error} for user, error in run.errors],
        "delivery": None if delivery is None else delivery_payload(delivery),
    }


def _print_run(run: DigestRun) -> None:
    if run.period is None:
        click.echo(f"{run.as_of}: no leadership digest is due (or TRACKER_LEADERSHIP_DIGEST=off).")
        return
    verb = "would be" if run.dry_run else "were"
    click.echo(
        f"{run.as_of}: {len(run.written)} leadership digest(s) for {run.period.key} {verb} "
        f"written; {run.already} already written before."
    )
    for user, message in run.written:
        subject = f": {message.subject}" if message else ""
        click.echo(f"  {one_line(user.email)}{subject}")
    for user, why in run.skipped:
        click.echo(f"  skipped {one_line(user.email)}: {why}", err=True)
    for user, error in run.errors:
        click.echo(f"  failed {one_line(user.email)}: {one_line(error)}", err=True)


@click.command("leadership-digest")
@click.option("--as-of", "as_of", default=None, help="Plan as on this day (YYYY-MM-DD).")
@click.option(
    "--period", default=None, help="A finished month (2026-10) or quarter (2026-Q3) instead."
)
@click.option("--dry-run", is_flag=True, help="Print who would get one; write and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def leadership_digest(as_of: str | None, period: str | None, dry_run: bool, as_json: bool) -> None:
    """Plan the leadership digests still owed for the last finished period into the outbox
    (each head and admin once per period), and deliver the outbox.

    Exits with status 1 when the mail server could not be reached or a digest could not be
    written (the next run retries it), 2 for bad input.
    """
    day = _parse_day(as_of)
    chosen = _parse_period(period, day)
    with stop_on_signals():
        run = plan_leadership_digests(day, dry_run=dry_run, period=chosen)
        delivery = None if dry_run else deliver_outbox(include_waiting=True)
    if as_json:
        click.echo(json.dumps(_payload(run, delivery), ensure_ascii=False, indent=1))
    else:
        _print_run(run)
        if delivery is not None:
            print_delivery(delivery)
    undelivered = delivery is not None and bool(delivery.connection_error or delivery.interrupted)
    if undelivered or run.errors:
        click.get_current_context().exit(EXIT_UNDELIVERED)
