from __future__ import annotations

import contextlib
import json
from datetime import date

import click
from flask import current_app

from tracker.cli_support import CommandError
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import User
from tracker.notifications.blueprint import bp
from tracker.notifications.jobs import deliver_outbox, plan_reminders


def _parse_day(value: str | None) -> date:
    if value is None:
        return org_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


@bp.cli.command("remind")
@click.option("--as-of", "as_of", default=None, help="Plan as on this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Print what would go out; write and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def remind(as_of: str | None, dry_run: bool, as_json: bool) -> None:
    """Plan the reminders and escalations owed as of a day into the outbox, and deliver it."""
    day = _parse_day(as_of)
    result = plan_reminders(day, dry_run=dry_run)
    recipients = {
        user.id: user.email
        for user in db.session.scalars(
            db.select(User).where(
                User.id.in_({r for d in result.notifications for r in d.recipient_ids})
            )
        )
    }
    delivery = None if dry_run else deliver_outbox(include_waiting=True)
    if as_json:
        payload = {
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
            "delivery": None
            if delivery is None
            else {
                "sent": delivery.sent,
                "retrying": delivery.retrying,
                "failed": delivery.failed,
                "error": delivery.connection_error,
                "mail_server": bool(current_app.config.get("MAIL_SERVER")),
            },
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{day}: {len(result.notifications)} notification(s) {verb} planned, "
        f"in {len(result.messages)} email(s)."
    )
    for row in result.messages:
        click.echo(f"  {row.to_address}: {row.subject}")
    if delivery is None:
        return
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(
            "No MAIL_SERVER: the emails wait in the outbox (admins see it at /admin/outbox)."
        )
    else:
        click.echo(
            f"Delivered {delivery.sent}; {delivery.retrying} will be retried; "
            f"{delivery.failed} failed for good."
        )
        if delivery.connection_error:
            click.echo(f"Mail server problem: {delivery.connection_error}", err=True)


@bp.cli.command("scheduler")
def scheduler() -> None:
    """Run the reminder scheduler in this process until stopped (Ctrl+C)."""
    from tracker.notifications.scheduling import build_scheduler

    sched = build_scheduler(current_app._get_current_object(), blocking=True)  # type: ignore[attr-defined]
    click.echo(
        f"Scheduler: plans at {current_app.config['TRACKER_REMINDER_HOUR']:02d}:00 "
        f"{current_app.config['TRACKER_TIMEZONE']} on working days; delivers every minute."
    )
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        sched.start()
