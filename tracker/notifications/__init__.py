"""Reminders and escalations: the pure policy, the planner, the outbox and its sender."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pure policy module must import without Flask
    from flask import Flask


def init_app(app: Flask) -> None:
    """Subscribe to what the other features announce (called by the factory): the tasks'
    events, and the task list's hook for an email digest's "and N more" link."""
    from tracker.notifications.digest import digest_narrowing
    from tracker.notifications.messages import queue_extension_request
    from tracker.tasks import events, listing

    events.extension_requested.connect(app, queue_extension_request)
    listing.add_narrowing(app, digest_narrowing)
