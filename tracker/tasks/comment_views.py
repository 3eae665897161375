"""The discussion on a task (#11 item 6): the pages. The comments and the form show on the
task page (templates/tasks/_discussion.html); a comment is posted to the task, and its
attachment is downloaded by whoever may see the task."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, request, send_from_directory
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import Task, TaskComment, User
from tracker.tasks import comments
from tracker.tasks.blueprint import bp
from tracker.tasks.comment_forms import CommentForm
from tracker.tasks.views import _apply, _load_visible, detail_context, detail_form

COMMENTS_PER_PAGE = 50


def attachment_directory() -> Path:
    """Beside the evidence folder, in the instance folder."""
    return Path(current_app.instance_path) / "attachments"


def _discussion(task: Task, user: User) -> dict[str, object]:
    """The page of comments the task page shows (`?comments=N` for earlier ones)."""
    page = max(request.args.get("comments", 1, type=int) or 1, 1)
    rows, earlier = comments.comments_page(task, page, COMMENTS_PER_PAGE)
    return {
        "comments": rows,
        "page": page,
        "earlier_page": page + 1 if earlier else None,
        "may_comment": comments.may_comment(user, task),
    }


detail_form("comment_form", lambda task: CommentForm(formdata=None))
detail_context("discussion", _discussion)


@bp.route("/<int:task_id>/comments", methods=["POST"])
def add_comment(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: CommentForm) -> None:
        upload: FileStorage | None = form.attachment.data
        attachment = None
        if upload and upload.filename:
            attachment = comments.receive_attachment(
                attachment_directory(),
                upload.filename,
                upload.stream,
                max_bytes=current_app.config["TRACKER_UPLOAD_MAX_BYTES"],
            )
        comments.add_comment(task, current_user, form.body.data or "", attachment=attachment)

    return _apply(
        task_id,
        comments.may_comment,
        "comment_form",
        CommentForm,
        change,
        _("Your comment was posted."),
    )


@bp.route("/<int:task_id>/comments/<int:comment_id>/attachment")
def comment_attachment(task_id: int, comment_id: int) -> ResponseReturnValue:
    task = _load_visible(task_id)
    comment = db.first_or_404(
        select(TaskComment).where(TaskComment.id == comment_id, TaskComment.task_id == task.id)
    )
    if not comment.attachment_file:
        abort(404)
    return send_from_directory(
        attachment_directory(),
        comment.attachment_file,
        as_attachment=True,
        download_name=comment.attachment_filename or comment.attachment_file,
    )
