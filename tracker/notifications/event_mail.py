"""The event email: a person's pending notices, in one email once their digest window closes.

Several events for one person within TRACKER_EVENT_WINDOW_MINUTES (5 by default) of the
first go out as one email: confirming a report of ten tasks mails each owner once. The
mailer (every minute in the scheduler, and in `tracker remind` / `tracker notify`) looks for
the people whose oldest pending notice is older than the window and writes, for each, one
outbox email with all their pending notices, grouped by task; the outbox delivers it (with
its own retries when the mail server is away).

Each person is one transaction: their pending notices are claimed by a conditional UPDATE
(on PostgreSQL after SELECT … FOR UPDATE SKIP LOCKED), and the email is written only when
every notice read was still pending, so two mailers running at once mail each notice once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import CursorResult, Update, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    ExtensionRequest,
    ExtensionStatus,
    Notice,
    NoticeEmail,
    NoticeKind,
    OutboxMessage,
    User,
    utcnow,
)
from tracker.notifications.messages import NoticeText, describe
from tracker.outbox_mail import render_email
from tracker.policy_settings import current_policy
from tracker.tasks.permissions import can_view

log = logging.getLogger(__name__)

# What waits for the manager in the list of requests (requests for more time): the email
# also links to that list. A task awaiting acceptance is not listed there (it is accepted or
# returned on its own page, which its line links), so it does not bring the link.
DECISION_KINDS = (NoticeKind.EXTENSION_REQUESTED,)
REQUESTS_ENDPOINT = "tasks.requests"


@dataclass
class TaskUpdates:
    """One task's notices in an email, oldest first."""

    task_id: int | None
    title: str
    url: str | None  # None: the reader may no longer open the task (taken off it)
    lines: list[NoticeText] = field(default_factory=list)


def _updated(statement: Update) -> int:
    result = cast("CursorResult[Any]", db.session.execute(statement))
    return result.rowcount or 0


def due_recipients(now: datetime, window: timedelta) -> list[int]:
    """The people whose oldest pending notice is older than the window."""
    return list(
        db.session.scalars(
            select(Notice.user_id)
            .where(Notice.email == NoticeEmail.PENDING)
            .group_by(Notice.user_id)
            .having(func.min(Notice.created_at) <= now - window)
            .order_by(Notice.user_id)
        )
    )


def mail_due_notices(now: datetime | None = None) -> int:
    """Write one email for each person whose window has closed; returns how many were
    written. Each person is committed on their own: one failure never stops the rest."""
    now = now or utcnow()
    window = timedelta(minutes=int(current_app.config["TRACKER_EVENT_WINDOW_MINUTES"]))
    recipients = due_recipients(now, window)
    db.session.commit()  # ends the read; each person gets a transaction of their own
    written = 0
    for user_id in recipients:
        try:
            mailed = mail_notices_of(user_id)
        except OperationalError as error:
            # SQLite refuses a write whose snapshot another mailer changed: it took them.
            db.session.rollback()
            log.info("event notices of user %s left to another mailer: %s", user_id, error)
            continue
        except Exception:
            db.session.rollback()
            log.exception("event email to user %s failed; retried next run", user_id)
            continue
        if mailed is None:
            db.session.rollback()
        else:
            db.session.commit()
            written += mailed
    return written


def _claim(user_id: int) -> list[int] | None:
    """Mark the person's pending notices queued; their ids, or None if another mailer
    took any of them meanwhile (this transaction must then be rolled back)."""
    pending = (
        select(Notice.id)
        .where(Notice.user_id == user_id, Notice.email == NoticeEmail.PENDING)
        .order_by(Notice.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(pending))
    if not ids:
        return None
    claimed = _updated(
        update(Notice)
        .where(Notice.id.in_(ids), Notice.email == NoticeEmail.PENDING)
        .values(email=NoticeEmail.QUEUED)
        .execution_options(synchronize_session=False)
    )
    return ids if claimed == len(ids) else None


def mail_notices_of(user_id: int) -> int | None:
    """Claim the person's pending notices and write their email (not committed): how many
    emails were written (0 when none of the notices is to be mailed any more), or None
    when there was nothing to claim (the caller rolls back)."""
    ids = _claim(user_id)
    if ids is None:
        return None
    user = db.session.get_one(User, user_id)
    if not user.active:  # an account closed since: nothing is mailed to it
        _set_outbox(ids, None, NoticeEmail.SKIPPED)
        return 0
    notices = db.session.scalars(
        select(Notice)
        .where(Notice.id.in_(ids))
        .options(selectinload(Notice.task), selectinload(Notice.actor))
        .order_by(Notice.id)
    ).all()
    settled = _settled_requests(notices)
    if settled:
        _set_outbox([notice.id for notice in settled], None, NoticeEmail.SKIPPED)
        notices = [notice for notice in notices if notice not in settled]
        if not notices:
            return 0
    message = write_event_email(user, notices)
    db.session.add(message)
    db.session.flush()
    _set_outbox([notice.id for notice in notices], message.id, NoticeEmail.QUEUED)
    return 1


def _settled_requests(notices: Sequence[Notice]) -> list[Notice]:
    """The "asks for more time" notices whose request was decided or withdrawn before the
    window closed: mailing them would send the decider to a request that no longer waits
    (they stay listed in the app; the owner hears the decision)."""
    asked = {
        notice.id: notice.details.get("request_id")
        for notice in notices
        if notice.kind is NoticeKind.EXTENSION_REQUESTED and notice.details.get("request_id")
    }
    if not asked:
        return []
    still_pending = set(
        db.session.scalars(
            select(ExtensionRequest.id).where(
                ExtensionRequest.id.in_(set(asked.values())),
                ExtensionRequest.status == ExtensionStatus.PENDING,
            )
        )
    )
    return [
        notice for notice in notices if notice.id in asked and asked[notice.id] not in still_pending
    ]


def _set_outbox(ids: Sequence[int], outbox_id: int | None, state: NoticeEmail) -> None:
    db.session.execute(
        update(Notice)
        .where(Notice.id.in_(ids))
        .values(email=state, outbox_id=outbox_id)
        .execution_options(synchronize_session=False)
    )


def _requests_path() -> str | None:
    """The managers' list of requests, if that page exists in this application."""
    if REQUESTS_ENDPOINT not in current_app.view_functions:
        return None
    return current_app.url_map.bind("localhost").build(REQUESTS_ENDPOINT)


def _task_url(notice: Notice, recipient: User, base_url: str) -> str | None:
    """The task's page, if the reader may open it: an owner taken off a task is told so,
    without a link that would answer 403."""
    if notice.task is None:
        return base_url
    if not can_view(recipient, notice.task):
        return None
    return f"{base_url}/tasks/{notice.task_id}"


def group_by_task(notices: Sequence[Notice], base_url: str, recipient: User) -> list[TaskUpdates]:
    """The notices' lines under their tasks, the tasks in the order of their first notice;
    call in the recipient's language."""
    groups: dict[int | None, TaskUpdates] = {}
    for notice in notices:
        group = groups.get(notice.task_id)
        if group is None:
            title = notice.task.title if notice.task is not None else ""
            url = _task_url(notice, recipient, base_url)
            group = groups[notice.task_id] = TaskUpdates(notice.task_id, title, url)
        group.lines.append(describe(notice))
    return list(groups.values())


def write_event_email(recipient: User, notices: Sequence[Notice]) -> OutboxMessage:
    """The email of these notices, in the recipient's language (not added to the session)."""
    base_url = current_app.config["TRACKER_BASE_URL"].rstrip("/")
    domain = urlsplit(base_url).hostname or "localhost"
    requests_path = _requests_path()
    asks_decision = any(notice.kind in DECISION_KINDS for notice in notices)
    count = len(notices)
    # As long as a digest's section at most: the rest waits in the notifications list.
    shown = notices[: current_policy().digest_max_items]
    # The lines are worded as the templates render, inside the recipient's language.
    context = dict(
        count=count,
        more=count - len(shown),
        base_url=base_url,
        inbox_url=f"{base_url}/notifications",
        requests_url=f"{base_url}{requests_path}" if requests_path and asks_decision else None,
        group_by_task=lambda: group_by_task(shown, base_url, recipient),
    )
    return render_email(
        recipient,
        "event_updates",
        lambda: ngettext("%(num)d update on your tasks", "%(num)d updates on your tasks", count),
        context,
        f"<events.{recipient.id}.{notices[0].id}.{notices[-1].id}@{domain}>",
    )
