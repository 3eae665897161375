"""Reminders and escalations: the pure policy, the planner, the outbox and its sender."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pure policy module must import without Flask
    from flask import Flask


def init_app(app: Flask) -> None:
    """Subscribe to what the other features announce (called by the factory): the tasks'
    events, each recorded as notices for the people concerned (mailed in digest windows by
    event_mail.py), and the task list's hook for an email digest's "and N more" link."""
    from tracker.notifications import notices
    from tracker.notifications.digest import digest_narrowing
    from tracker.tasks import events, listing

    events.owners_changed.connect(app, notices.on_owners_changed)
    events.deadline_changed.connect(app, notices.on_deadline_changed)
    events.task_edited.connect(app, notices.on_task_edited)
    events.task_completed.connect(app, notices.on_task_completed)
    events.task_cancelled.connect(app, notices.on_task_cancelled)
    events.awaiting_acceptance.connect(app, notices.on_awaiting_acceptance)
    events.task_returned.connect(app, notices.on_task_returned)
    events.task_reopened.connect(app, notices.on_task_reopened)
    events.extension_requested.connect(app, notices.on_extension_requested)
    events.extension_decided.connect(app, notices.on_extension_decided)
    events.comment_added.connect(app, notices.on_comment_added)
    listing.add_narrowing(app, digest_narrowing)
