"""Tasks: the pages. Each form: load or 404 → check permission → validate → one service in a
unit of work (which commits) → redirect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from tracker.action_links import Action, ActionLink, LinkError, LinkExpired
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import Task, TaskStatus, User
from tracker.tasks import services
from tracker.tasks.blueprint import bp
from tracker.tasks.forms import CancelForm, DeadlineForm, DoneForm, ExtensionForm, ProgressForm
from tracker.tasks.listing import narrowed_list, narrowed_page
from tracker.tasks.permissions import can_manage, can_view, can_work_on, require
from tracker.unit_of_work import unit_of_work


def _load_visible(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    require(can_view(current_user, task))
    return task


def _evidence_directory() -> Path:
    return Path(current_app.instance_path) / "evidence"


def _list_page(
    requested: str, include_closed: bool, search_for: str, page: int
) -> tuple[services.TaskPage, dict[str, object], int | None]:
    """The page asked for, the narrowing's words for the page, and the last page's number
    when the page asked for is past the end (None otherwise)."""
    # Another feature may narrow the list (an email digest's "and N more" link).
    narrowed = narrowed_list(current_user, request.args, mine=requested != "all")
    if narrowed is not None:
        scope = "all" if requested == "all" else "mine"
        listing = narrowed_page(narrowed, scope, search_for=search_for)
        return listing, dict(narrowed.context), (1 if page > 1 else None)
    listing = services.task_list(
        current_user, requested, include_closed=include_closed, search_for=search_for, page=page
    )
    if listing.tasks or page == 1:
        return listing, {}, None
    last = services.last_page(
        current_user, requested, include_closed=include_closed, search_for=search_for
    )
    return listing, {}, last


_MAX_PAGE = 10_000_000


@bp.route("")
def my_tasks() -> ResponseReturnValue:
    include_closed = request.args.get("closed") == "1"
    requested = request.args.get("scope", "mine")
    search_for = request.args.get("q", "").strip()[:200]
    # Past any real list (and within what a database's OFFSET takes): sent to the last page.
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), _MAX_PAGE)
    listing, context, last = _list_page(requested, include_closed, search_for, page)
    if last is not None:  # an old link, or a number typed in: the last page, and why
        flash(_("There is no page %(page)d: this is the last one.", page=page), "info")
        args: dict[str, Any] = dict(request.args.lists())
        return redirect(url_for("tasks.my_tasks", **{**args, "page": last}))
    return render_template(
        "tasks/list.html",
        tasks=listing.tasks,
        listing=listing,
        today=org_today(),
        scope=listing.scope,
        include_closed=include_closed,
        search_for=search_for,
        **context,
    )


# The task page's forms, each empty (or with the task's values) until a failed POST passes
# its bound form back. The lifecycle's view modules (extensions, changes, discussion) add
# theirs with `detail_form`, so the page shows every panel without this module knowing them.
_DETAIL_FORMS: dict[str, Callable[[Task], FlaskForm]] = {
    "progress_form": lambda task: ProgressForm(formdata=None),
    "done_form": lambda task: DoneForm(formdata=None),
    "cancel_form": lambda task: CancelForm(formdata=None),
    "deadline_form": lambda task: DeadlineForm(formdata=None, deadline=task.deadline),
}
# Values the panels need besides their forms (the pending request, the comments), by name.
_DETAIL_CONTEXT: dict[str, Callable[[Task, User], object]] = {}


def detail_form(name: str, empty: Callable[[Task], FlaskForm]) -> None:
    """Show the form `name` on the task page; `empty(task)` builds it when no POST failed."""
    _DETAIL_FORMS[name] = empty


def detail_context(name: str, value: Callable[[Task, User], object]) -> None:
    """Give the task page `name`, computed for the task and the signed-in user."""
    _DETAIL_CONTEXT[name] = value


def _render_detail(task: Task, status: int = 200, **bound_forms: FlaskForm) -> ResponseReturnValue:
    forms: dict[str, object] = {
        name: bound_forms.get(name) or empty(task) for name, empty in _DETAIL_FORMS.items()
    }
    forms.update({name: value(task, current_user) for name, value in _DETAIL_CONTEXT.items()})
    return (
        render_template(
            "tasks/detail.html",
            task=task,
            today=org_today(),
            may_work=can_work_on(current_user, task),
            may_manage=can_manage(current_user, task),
            **forms,
        ),
        status,
    )


@bp.route("/<int:task_id>")
def detail(task_id: int) -> ResponseReturnValue:
    return _render_detail(_load_visible(task_id))


FormT = TypeVar("FormT", bound=FlaskForm)


def _apply(
    task_id: int,
    allowed: Callable[[User, Task], bool],
    form_name: str,
    form_class: type[FormT],
    change: Callable[[Task, FormT], None],
    success: str | Callable[[Task], str],
) -> ResponseReturnValue:
    """The shape of every task form: load, check, validate, change in a unit of work (which
    commits, then moves an evidence file into place), redirect."""
    task = _load_visible(task_id)
    require(allowed(current_user, task))
    form = form_class()
    if not form.validate_on_submit():
        return _render_detail(task, 400, **{form_name: form})
    try:
        with unit_of_work():
            change(task, form)
    except services.TaskError as error:
        flash(str(error), "error")
    else:
        flash(success if isinstance(success, str) else success(task), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/<int:task_id>/progress", methods=["POST"])
def add_progress(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: ProgressForm) -> None:
        services.add_progress(task, current_user, form.note.data)

    return _apply(
        task_id, can_work_on, "progress_form", ProgressForm, change, _("Your note was added.")
    )


def _done_message(task: Task) -> str:
    # With verification on, an owner's "mark done" hands the task to the manager.
    if task.status is TaskStatus.AWAITING_ACCEPTANCE:
        return _("Sent for acceptance: the task is done once your manager accepts it.")
    return _("The task is marked done.")


@bp.route("/<int:task_id>/done", methods=["POST"])
def mark_done(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: DoneForm) -> None:
        upload: FileStorage | None = form.evidence_file.data
        evidence = None
        if upload and upload.filename:
            evidence = services.EvidenceUpload.receive(
                _evidence_directory(),
                upload.filename,
                upload.stream,
                max_bytes=current_app.config["TRACKER_UPLOAD_MAX_BYTES"],
            )
        services.mark_done(
            task,
            current_user,
            form.note.data,
            evidence_url=form.evidence_url.data,
            evidence=evidence,
        )

    return _apply(task_id, can_work_on, "done_form", DoneForm, change, _done_message)


@bp.route("/<int:task_id>/cancel", methods=["POST"])
def cancel(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: CancelForm) -> None:
        services.cancel(task, current_user, form.reason.data)

    return _apply(
        task_id, can_manage, "cancel_form", CancelForm, change, _("The task is cancelled.")
    )


@bp.route("/<int:task_id>/deadline", methods=["POST"])
def change_deadline(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: DeadlineForm) -> None:
        services.change_deadline(task, current_user, form.deadline.data, form.reason.data)

    return _apply(
        task_id, can_manage, "deadline_form", DeadlineForm, change, _("The deadline was changed.")
    )


@bp.route("/<int:task_id>/evidence")
def evidence(task_id: int) -> ResponseReturnValue:
    task = _load_visible(task_id)
    if not task.evidence_file:
        abort(404)
    return send_from_directory(
        _evidence_directory(),
        task.evidence_file,
        as_attachment=True,
        download_name=task.evidence_filename or task.evidence_file,
    )


# --- The "mark done" / "ask for more time" links in emails --------------------------------


def _confirm_done(link: ActionLink, task: Task, form: DoneForm) -> str:
    services.mark_done_from_link(link, task, current_user, form.note.data, form.evidence_url.data)
    return _done_message(task)


def _confirm_extension(link: ActionLink, task: Task, form: ExtensionForm) -> str:
    services.request_extension_from_link(
        link, task, current_user, form.deadline.data, form.reason.data
    )
    return _("Your request for more time was sent to your manager.")


# Each action's form, and the view's call of its one service (returning the success message).
_LINK_ACTIONS: dict[Action, tuple[type[FlaskForm], Callable[[ActionLink, Task, Any], str]]] = {
    Action.DONE: (DoneForm, _confirm_done),
    Action.EXTEND: (ExtensionForm, _confirm_extension),
}


@bp.route("/action/<token>", methods=["GET", "POST"])
def email_action(token: str) -> ResponseReturnValue:
    """Where an email's "mark done" / "ask for more time" link lands: a confirmation page.
    GET never changes anything (mail scanners follow links); the POST does, once."""
    link = services.read_action_link(
        token,
        current_user,
        secret_key=current_app.config["SECRET_KEY"],
        max_age_days=current_app.config["TRACKER_ACTION_LINK_DAYS"],
    )
    task = _load_visible(link.task_id)
    if services.action_link_used(link):  # said before the form; the POST's insert decides
        raise services.LinkAlreadyUsed(link.nonce)
    form_class, confirm = _LINK_ACTIONS[link.action]
    form = form_class()
    if not form.validate_on_submit():
        page = render_template(
            "tasks/action.html", task=task, form=form, action=link.action.value, today=org_today()
        )
        return page, 400 if form.is_submitted() else 200
    try:
        with unit_of_work():
            message = confirm(link, task, form)
    except services.TaskError as error:
        flash(str(error), "error")
    else:
        flash(message, "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


def _link_problem(message: str, status: int) -> ResponseReturnValue:
    return render_template("errors/error.html", code=status, message=message), status


@bp.errorhandler(LinkError)
def link_unreadable(error: LinkError) -> ResponseReturnValue:
    if isinstance(error, LinkExpired):
        return _link_problem(_("This link has expired. Open the task to act on it."), 400)
    return _link_problem(_("This link is not valid."), 400)


@bp.errorhandler(services.LinkAlreadyUsed)
def link_already_used(_error: services.LinkAlreadyUsed) -> ResponseReturnValue:
    return _link_problem(_("This link has already been used."), 410)
