"""The discussion on a task (#11 item 6): who may write in it, and writing a comment.

A comment may carry an attachment, stored as evidence is (`services.EvidenceUpload`: size
checked before anything touches the disk, written under a random name only once the comment
is allowed, moved into place after the commit). The comment is announced (`comment_added`):
the notifications tell the discussion's participants in their digest window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Task, TaskComment, TaskStatus, User, utcnow
from tracker.tasks import events
from tracker.tasks.permissions import can_manage, can_view, require
from tracker.tasks.services import EvidenceUpload, TaskError

BODY_LIMIT = 5000


def may_comment(user: User, task: Task) -> bool:
    """The owners, the managers who may manage the task, staff and admins; never on a draft."""
    if task.status is TaskStatus.DRAFT or not can_view(user, task):
        return False
    return user in task.owners or can_manage(user, task)


def receive_attachment(
    directory: Path, filename: str, stream: IO[bytes], *, max_bytes: int
) -> EvidenceUpload:
    """The attachment, or a TaskError when it is over `max_bytes` (nothing is read or written)."""
    try:
        return EvidenceUpload.receive(directory, filename, stream, max_bytes=max_bytes)
    except TaskError:
        raise TaskError(
            _l("The attachment is too large: at most %(size)s MB.", size=max_bytes // (1024 * 1024))
        ) from None


def add_comment(
    task: Task,
    author: User,
    body: str,
    *,
    attachment: EvidenceUpload | None = None,
    now: datetime | None = None,
) -> TaskComment:
    require(may_comment(author, task))
    body = body.strip()
    if not body:
        raise TaskError(_l("Write something to comment."))
    if attachment is not None:  # allowed: only now does the file touch the disk
        attachment.write_temporary()
    comment = TaskComment(
        task=task,
        author=author,
        body=body[:BODY_LIMIT],
        created_at=now or utcnow(),
        attachment_file=attachment.stored_name if attachment is not None else None,
        attachment_filename=attachment.filename if attachment is not None else None,
    )
    db.session.add(comment)
    db.session.flush()
    events.comment_added.announce(events.CommentAdded(task, author, comment))
    return comment


def comments_page(task: Task, page: int, per_page: int = 50) -> tuple[Sequence[TaskComment], bool]:
    """One page of the discussion, counted from the newest (page 1 is the latest comments),
    shown oldest first; and whether earlier comments remain."""
    rows = db.session.scalars(
        select(TaskComment)
        .where(TaskComment.task_id == task.id)
        .options(selectinload(TaskComment.author))
        .order_by(TaskComment.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return list(reversed(rows[:per_page])), len(rows) > per_page
