"""Changing a confirmed task and tasks made by hand (#11 items 2 and 7): the pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models import Task
from tracker.tasks import changes, services
from tracker.tasks.blueprint import bp
from tracker.tasks.change_forms import EditForm, NewTaskForm, OwnersForm, ReopenForm
from tracker.tasks.permissions import can_manage, require
from tracker.tasks.views import _apply, detail_form
from tracker.unit_of_work import unit_of_work

# The task page's panel (templates/tasks/_changes.html): the wording as it is, the owners
# chosen, an empty reason.
detail_form("edit_form", lambda task: EditForm(formdata=None, obj=task))
detail_form(
    "owners_form",
    lambda task: OwnersForm(formdata=None, owners=[user.id for user in task.owners]),
)
detail_form("reopen_form", lambda task: ReopenForm(formdata=None))


@bp.context_processor
def creating_tasks() -> dict[str, bool]:
    """Whether the task list offers "New task" to the signed-in user."""
    signed_in = current_user.is_authenticated
    return {"may_create_tasks": signed_in and changes.may_create_tasks(current_user)}


@bp.route("/<int:task_id>/edit", methods=["POST"])
def edit(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: EditForm) -> None:
        changes.edit_task(task, current_user, form.wording())

    return _apply(task_id, can_manage, "edit_form", EditForm, change, _("The task was changed."))


@bp.route("/<int:task_id>/owners", methods=["POST"])
def change_owners(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: OwnersForm) -> None:
        changes.change_owners(task, current_user, form.chosen_owners())

    return _apply(
        task_id, can_manage, "owners_form", OwnersForm, change, _("The owners were changed.")
    )


@bp.route("/<int:task_id>/reopen", methods=["POST"])
def reopen(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: ReopenForm) -> None:
        changes.reopen(task, current_user, form.reason.data or "", deadline=form.deadline.data)

    return _apply(
        task_id, can_manage, "reopen_form", ReopenForm, change, _("The task is open again.")
    )


@bp.route("/new", methods=["GET", "POST"])
def new_task() -> ResponseReturnValue:
    """A task that comes from no report (a meeting, an order): staff, admins, managers."""
    require(changes.may_create_tasks(current_user))
    form = NewTaskForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                task = changes.create_by_hand(current_user, form.hand_made_task())
        except services.TaskError as error:
            form.owners.errors = [*form.owners.errors, str(error)]
        else:
            flash(_("The task was created."), "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
    status = 400 if form.is_submitted() else 200
    return render_template("tasks/new.html", form=form), status
