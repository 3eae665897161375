"""The notifications page (#11 item 6): a person's notices, unread first; "mark all read";
a notice's link marks it read and opens its task. The menu's unread counter."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.forms_i18n import TrackerForm
from tracker.models import Notice
from tracker.notifications import notices
from tracker.notifications.blueprint import bp
from tracker.notifications.messages import describe
from tracker.tasks.permissions import can_view
from tracker.unit_of_work import unit_of_work

PER_PAGE = 25


class ReadAllForm(TrackerForm):
    """The "Mark all read" button: nothing but its CSRF token."""


@bp.app_context_processor
def unread_notices() -> dict[str, object]:
    """`unread_notice_count()` for the menu, counted only where a page asks for it."""

    def unread_notice_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return notices.unread_count(current_user)

    return {"unread_notice_count": unread_notice_count}


@bp.route("/notifications")
def inbox() -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, more = notices.notices_page(current_user, page, PER_PAGE)
    if not rows and page > 1:  # past the end: the first page, and why
        flash(_("There is no page %(page)d: this is the last one.", page=page), "info")
        return redirect(url_for("notifications.inbox"))
    return render_template(
        "notifications/inbox.html",
        rows=[(notice, describe(notice)) for notice in rows],
        page=page,
        next_page=page + 1 if more else None,
        read_all_form=ReadAllForm(),
    )


@bp.route("/notifications/read-all", methods=["POST"])
def read_all() -> ResponseReturnValue:
    form = ReadAllForm()
    if not form.validate_on_submit():  # the CSRF check refuses first; this is the backstop
        abort(400)
    with unit_of_work():
        notices.mark_all_read(current_user)
    flash(_("All your notifications are marked read."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/<int:notice_id>")
def open_notice(notice_id: int) -> ResponseReturnValue:
    notice = db.first_or_404(
        select(Notice).where(Notice.id == notice_id, Notice.user_id == current_user.id)
    )
    with unit_of_work():
        notices.open_notice(notice, current_user)
    if notice.task is None:
        return redirect(url_for("notifications.inbox"))
    if not can_view(current_user, notice.task):
        # Taken off the task since (the notice may say just that): its page would be a 403.
        flash(_("You can no longer open this task."), "info")
        return redirect(url_for("notifications.inbox"))
    return redirect(url_for("tasks.detail", task_id=notice.task_id))
