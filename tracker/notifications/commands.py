from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
from flask import current_app

from tracker.cli_support import CommandError, parse_as_of
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import User
from tracker.notifications.blueprint import bp
from tracker.notifications.event_mail import mail_due_notices
from tracker.notifications.jobs import (
    deliver_outbox,
    plan_reminders,
    stop_on_signals,
)
from tracker.notifications.outbox import DeliveryReport
from tracker.notifications.planner import PlanResult
from tracker.policy_settings import current_policy
from tracker.text import one_line

# `tracker remind` exits with this when mail could not be delivered (the server was
# unreachable, or the run was stopped): what was planned waits in the outbox.
EXIT_UNDELIVERED = 1


def _parse_day(value: str | None, *, allow_future: bool) -> date:
    today = org_today()
    day = parse_as_of(value, today)
    if day > today and not allow_future:
        # A typo here would send false escalations and take the real ones' dedupe keys.
        raise CommandError(
            f"--as-of {day} is after today ({today}); "
            "use --dry-run to preview, or --allow-future for a rehearsal database"
        )
    return day


def _payload(day: date, dry_run: bool, result: PlanResult, delivery: DeliveryReport | None) -> Any:
    recipients = {
        user.id: user.email
        for user in db.session.scalars(
            db.select(User).where(
                User.id.in_({r for d in result.notifications for r in d.recipient_ids})
            )
        )
    }
    return {
        "as_of": day.isoformat(),
        "dry_run": dry_run,
        "notifications": [
            {
                "task_id": due.task_id,
                "kind": due.kind.value,
                "level": due.level,
                "deadline": due.deadline.isoformat(),
                "days_overdue": due.days_overdue,
                "recipients": [recipients.get(r) for r in due.recipient_ids],
            }
            for due in result.notifications
        ],
        "emails": [{"to": row.to_address, "subject": row.subject} for row in result.messages],
        "task_errors": [
            {"task_id": error.task_id, "error": error.error} for error in result.task_errors
        ],
        "delivery": None if delivery is None else delivery_payload(delivery),
    }


def delivery_payload(delivery: DeliveryReport) -> dict[str, Any]:
    return {
        "sent": delivery.sent,
        "retrying": delivery.retrying,
        "failed": delivery.failed,
        "failures": [{"to": to, "error": error} for to, error in delivery.failures],
        "error": delivery.connection_error,
        "interrupted": delivery.interrupted,
        "mail_server": bool(current_app.config.get("MAIL_SERVER")),
    }


def _print_plan(day: date, dry_run: bool, result: PlanResult) -> None:
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{day}: {len(result.notifications)} notification(s) {verb} planned, "
        f"in {len(result.messages)} email(s)."
    )
    for row in result.messages:
        click.echo(f"  {one_line(row.to_address)}: {row.subject}")
    if result.task_errors:
        told = "would be told" if dry_run else "were told, by email"
        click.echo(
            f"{len(result.task_errors)} task(s) skipped: their notifications could not be "
            f"worked out (the admins {told}):",
            err=True,
        )
    for error in result.task_errors:
        click.echo(f"  task {error.task_id}: {error.error}", err=True)


def print_delivery(delivery: DeliveryReport) -> None:
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(
            "No MAIL_SERVER: the emails wait in the outbox (admins see it at /admin/outbox)."
        )
        return
    click.echo(
        f"Delivered {delivery.sent}; {delivery.retrying} will be retried; "
        f"{delivery.failed} failed for good."
    )
    for to, error in delivery.failures:
        click.echo(f"  failed: {one_line(to)}: {error}", err=True)
    if delivery.connection_error:
        click.echo(
            f"Mail server unreachable ({delivery.connection_error}); "
            "the emails wait in the outbox and go out when it answers.",
            err=True,
        )
    if delivery.interrupted:
        click.echo("Stopped on request; the rest waits in the outbox.", err=True)


@bp.cli.command("remind")
@click.option("--as-of", "as_of", default=None, help="Plan as on this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Print what would go out; write and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--allow-future", is_flag=True, help="Accept an --as-of after today (rehearsals, tests)."
)
def remind(as_of: str | None, dry_run: bool, as_json: bool, allow_future: bool) -> None:
    """Plan the reminders and escalations owed as of a day into the outbox, and deliver it.

    Exits with status 1 when the mail server could not be reached or the run was stopped
    (the emails wait in the outbox), 2 for bad input.
    """
    day = _parse_day(as_of, allow_future=allow_future or dry_run)
    with stop_on_signals():
        result = plan_reminders(day, dry_run=dry_run)
        # The event emails whose window has closed go out with the run.
        events_mailed = 0 if dry_run else mail_due_notices()
        delivery = None if dry_run else deliver_outbox(include_waiting=True)
    if as_json:
        click.echo(
            json.dumps(_payload(day, dry_run, result, delivery), ensure_ascii=False, indent=1)
        )
    else:
        _print_plan(day, dry_run, result)
        if events_mailed:
            click.echo(f"{events_mailed} email(s) about task events were written.")
        if delivery is not None:
            print_delivery(delivery)
    if _undelivered(delivery):
        click.get_current_context().exit(EXIT_UNDELIVERED)


@bp.cli.command("notify")
def notify() -> None:
    """Write the event emails whose digest window has closed, and deliver the outbox.

    Exits with status 1 when the mail server could not be reached (the emails wait).
    """
    with stop_on_signals():
        written = mail_due_notices()
        delivery = deliver_outbox()
    click.echo(f"{written} email(s) about task events were written.")
    print_delivery(delivery)
    if _undelivered(delivery):
        click.get_current_context().exit(EXIT_UNDELIVERED)


def _undelivered(delivery: DeliveryReport | None) -> bool:
    return delivery is not None and bool(delivery.connection_error or delivery.interrupted)


@bp.cli.command("scheduler")
def scheduler() -> None:
    """Run the reminder scheduler in this process until stopped (Ctrl+C, SIGTERM)."""
    from tracker.notifications.scheduling import build_scheduler

    sched = build_scheduler(current_app._get_current_object(), blocking=True)  # type: ignore[attr-defined]
    click.echo(
        f"Scheduler: plans at {current_policy().reminder_hour:02d}:00 "
        f"{current_app.config['TRACKER_TIMEZONE']} on working days; delivers every minute."
    )
    with stop_on_signals(then_exit=True):
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            # Waits for a running job: the sender finishes its message and releases the rest.
            if sched.running:
                sched.shutdown(wait=True)
    click.echo("Scheduler stopped.")
