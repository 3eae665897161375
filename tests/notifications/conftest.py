"""Fixtures of the notification tests: a clock the event tests move forward by minutes."""

from __future__ import annotations

from tracker.extensions import db
from tracker.models import Notice, NoticeKind, Task, User


def notice_kinds(user: User, task: Task | None = None) -> list[NoticeKind]:
    """The kinds of the notices a person has (about one task), oldest first."""
    query = db.select(Notice.kind).where(Notice.user_id == user.id).order_by(Notice.id)
    if task is not None:
        query = query.where(Notice.task_id == task.id)
    return list(db.session.scalars(query))
