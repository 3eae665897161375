"""Extensions as a workflow (#11 item 1) and verification of completion (#11 item 3): the
pages. An owner asks for more time on the task page; a manager approves or refuses from
the task page or the "requests" list; a task awaiting acceptance is accepted or returned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import ExtensionRequest, Task, User
from tracker.tasks import extensions, services, verification
from tracker.tasks.blueprint import bp
from tracker.tasks.extension_forms import (
    BACK_TO_REQUESTS,
    AcceptForm,
    ApproveForm,
    AskForTimeForm,
    RefuseForm,
    ReturnForm,
)
from tracker.tasks.permissions import OVERSEERS, can_manage, can_work_on, require
from tracker.tasks.views import _apply, _load_visible, _render_detail, detail_context, detail_form
from tracker.unit_of_work import unit_of_work

REQUESTS_PER_PAGE = 25

detail_form("extension_form", lambda task: AskForTimeForm(formdata=None))
detail_form("approve_form", lambda task: ApproveForm(formdata=None))
detail_form("refuse_form", lambda task: RefuseForm(formdata=None))
detail_form("accept_form", lambda task: AcceptForm(formdata=None))
detail_form("return_form", lambda task: ReturnForm(formdata=None))
detail_context("pending_extension", lambda task, user: services.pending_request(task))


@bp.app_context_processor
def requests_in_menu() -> dict[str, Callable[[], int]]:
    """`pending_request_count()` for the menu's "Requests (N)": how many requests wait for
    the user's decision, counted only when a page's menu asks (managers, staff, admins)."""

    def count() -> int:
        user: User = current_user
        if not user.is_authenticated or user.role not in OVERSEERS:
            return 0
        return extensions.pending_count(user)

    return {"pending_request_count": count}


# --- Asking for more time (the owners) -----------------------------------------------------


@bp.route("/<int:task_id>/extension", methods=["POST"])
def request_extension(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: AskForTimeForm) -> None:
        services.request_extension(task, current_user, form.deadline.data, form.reason.data)

    return _apply(
        task_id,
        can_work_on,
        "extension_form",
        AskForTimeForm,
        change,
        _("Your request for more time was sent to your manager."),
    )


# --- Deciding on a request (whoever manages the task) -------------------------------------


def _render_requests(
    status: int = 200, failed: dict[str, Any] | None = None
) -> ResponseReturnValue:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = extensions.pending_page(current_user, page, REQUESTS_PER_PAGE)
    pages = max((total + REQUESTS_PER_PAGE - 1) // REQUESTS_PER_PAGE, 1)
    if page > pages:  # an old link, or a number typed in: the last page, and why
        flash(_("There is no page %(page)d: this is the last one.", page=page), "info")
        return redirect(url_for("tasks.requests", page=pages))
    page_html = render_template(
        "tasks/requests.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        today=org_today(),
        approve_form=ApproveForm(formdata=None, back=BACK_TO_REQUESTS),
        refuse_form=RefuseForm(formdata=None, back=BACK_TO_REQUESTS),
        failed=failed or {},
    )
    return page_html, status


@bp.route("/requests")
def requests() -> ResponseReturnValue:
    """The requests for more time waiting for the user's decision, oldest first."""
    require(current_user.role in OVERSEERS)
    return _render_requests()


def _decide(
    request_id: int,
    form_name: str,
    form_class: type[ApproveForm] | type[RefuseForm],
    decide: Callable[[ExtensionRequest, Any], None],
    success: str,
) -> ResponseReturnValue:
    """Approve or refuse, from the task page or the requests list (the form says which),
    returning there; a form sent back keeps what was typed, on the page it came from."""
    extension = db.get_or_404(ExtensionRequest, request_id)
    task = _load_visible(extension.task_id)
    require(can_manage(current_user, task))
    form = form_class()
    from_list = form.back.data == BACK_TO_REQUESTS
    if not form.validate_on_submit():
        if from_list:
            return _render_requests(400, {"request_id": extension.id, form_name: form})
        return _render_detail(task, 400, **{form_name: form})
    try:
        with unit_of_work():
            decide(extension, form)
    except services.TaskError as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    if from_list:
        return redirect(url_for("tasks.requests"))
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
def approve_extension(request_id: int) -> ResponseReturnValue:
    def decide(extension: ExtensionRequest, form: ApproveForm) -> None:
        extensions.approve(extension, current_user, form.note.data or "")

    return _decide(
        request_id,
        "approve_form",
        ApproveForm,
        decide,
        _("The request was approved: the deadline moved."),
    )


@bp.route("/requests/<int:request_id>/refuse", methods=["POST"])
def refuse_extension(request_id: int) -> ResponseReturnValue:
    def decide(extension: ExtensionRequest, form: RefuseForm) -> None:
        extensions.refuse(extension, current_user, form.reason.data)

    return _decide(request_id, "refuse_form", RefuseForm, decide, _("The request was refused."))


# --- Verification of completion (whoever manages the task) --------------------------------


@bp.route("/<int:task_id>/accept", methods=["POST"])
def accept(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: AcceptForm) -> None:
        verification.accept(task, current_user, form.note.data or "")

    return _apply(
        task_id, can_manage, "accept_form", AcceptForm, change, _("The task was accepted as done.")
    )


@bp.route("/<int:task_id>/return", methods=["POST"])
def return_task(task_id: int) -> ResponseReturnValue:
    def change(task: Task, form: ReturnForm) -> None:
        verification.return_task(task, current_user, form.reason.data)

    return _apply(
        task_id,
        can_manage,
        "return_form",
        ReturnForm,
        change,
        _("The task was returned to its owners."),
    )
