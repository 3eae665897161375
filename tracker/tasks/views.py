from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import Role, Task, UsedActionToken, User
from tracker.notifications.digest import digest_link, digest_tasks
from tracker.permissions import PermissionDenied
from tracker.tasks import services
from tracker.tasks.action_links import Action, ActionLinkSigner, LinkError
from tracker.tasks.blueprint import bp
from tracker.tasks.forms import CancelForm, DeadlineForm, DoneForm, ExtensionForm, ProgressForm
from tracker.tasks.permissions import can_manage, can_view, can_work_on, require


def _load_visible(task_id: int) -> Task:
    task = db.get_or_404(Task, task_id)
    require(can_view(current_user, task))
    return task


def _evidence_directory() -> Path:
    return Path(current_app.instance_path) / "evidence"


@bp.route("")
def my_tasks() -> ResponseReturnValue:
    include_closed = request.args.get("closed") == "1"
    scope = request.args.get("scope", "mine")
    if scope != "all":
        scope = "mine"
    # An email digest's "and N more" link: that section's tasks, of every status.
    digest, digest_invalid = digest_link(request.args)
    if digest is not None or digest_invalid:
        tasks = digest_tasks(current_user, digest, mine=scope == "mine")
    elif scope == "all" and current_user.role is not Role.OFFICER:
        tasks = services.tasks_visible_to(current_user, include_closed=include_closed)
    else:
        scope = "mine"
        tasks = services.my_tasks(current_user, include_closed=include_closed)
    return render_template(
        "tasks/list.html",
        tasks=tasks,
        today=org_today(),
        scope=scope,
        include_closed=include_closed,
        digest=digest,
        digest_invalid=digest_invalid,
    )


def _render_detail(task: Task, status: int = 200, **bound_forms: FlaskForm) -> ResponseReturnValue:
    forms: dict[str, FlaskForm] = {
        "progress_form": ProgressForm(formdata=None),
        "done_form": DoneForm(formdata=None),
        "cancel_form": CancelForm(formdata=None),
        "deadline_form": DeadlineForm(formdata=None, deadline=task.deadline),
    }
    forms.update(bound_forms)
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
    success: str,
    files: list[services.EvidenceUpload] | None = None,
) -> ResponseReturnValue:
    """The shape of every task form: load, check, validate, change, commit, redirect.

    `files` are the uploads `change` received: moved into place after the commit, removed
    if the change is refused or the commit fails."""
    task = _load_visible(task_id)
    require(allowed(current_user, task))
    form = form_class()
    if not form.validate_on_submit():
        return _render_detail(task, 400, **{form_name: form})
    files = files if files is not None else []
    try:
        change(task, form)
    except services.TaskError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        for file in files:
            file.publish()
        flash(success, "success")
    finally:
        for file in files:
            file.discard()
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/<int:task_id>/progress", methods=["POST"])
def add_progress(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: ProgressForm) -> None:
        services.add_progress(task, current_user, form.note.data)

    return _apply(
        task_id, can_work_on, "progress_form", ProgressForm, change, _("Your note was added.")
    )


@bp.route("/<int:task_id>/done", methods=["POST"])
def mark_done(task_id: int) -> ResponseReturnValue:
    files: list[services.EvidenceUpload] = []

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
            files.append(evidence)
        services.mark_done(
            task,
            current_user,
            form.note.data,
            evidence_url=form.evidence_url.data,
            evidence=evidence,
        )

    return _apply(
        task_id, can_work_on, "done_form", DoneForm, change, _("The task is marked done."), files
    )


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


def _link_problem(message: str, status: int) -> ResponseReturnValue:
    return render_template("errors/error.html", code=status, message=message), status


@bp.route("/action/<token>", methods=["GET", "POST"])
def email_action(token: str) -> ResponseReturnValue:
    """Where an email's "mark done" / "ask for more time" link lands: a confirmation page.
    GET never changes anything (mail scanners follow links); the POST does, once."""
    try:
        link = ActionLinkSigner(current_app.config["SECRET_KEY"]).read(
            token, current_app.config["TRACKER_ACTION_LINK_DAYS"]
        )
    except LinkError as error:
        message = (
            _("This link has expired. Open the task to act on it.")
            if str(error) == "expired"
            else _("This link is not valid.")
        )
        return _link_problem(message, 400)
    if link.user_id != current_user.id:
        raise PermissionDenied
    task = _load_visible(link.task_id)
    if db.session.get(UsedActionToken, link.nonce) is not None:
        return _link_problem(_("This link has already been used."), 410)
    form: FlaskForm = DoneForm() if link.action is Action.DONE else ExtensionForm()
    if form.validate_on_submit():
        try:
            if link.action is Action.DONE:
                services.mark_done_from_link(
                    link.nonce, task, current_user, form.note.data, form.evidence_url.data
                )
            else:
                services.request_extension_from_link(
                    link.nonce, task, current_user, form.deadline.data, form.reason.data
                )
        except (services.TaskError, IntegrityError) as error:
            db.session.rollback()
            message = str(error) if isinstance(error, services.TaskError) else None
            flash(message or _("This link has already been used."), "error")
            return redirect(url_for("tasks.detail", task_id=task.id))
        db.session.commit()
        flash(
            _("The task is marked done.")
            if link.action is Action.DONE
            else _("Your request for more time was sent to your manager."),
            "success",
        )
        return redirect(url_for("tasks.detail", task_id=task.id))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "tasks/action.html", task=task, form=form, action=link.action.value, today=org_today()
        ),
        status,
    )
