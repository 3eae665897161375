from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.admin import services
from tracker.admin.blueprint import bp
from tracker.admin.forms import (
    DepartmentEditForm,
    DepartmentForm,
    DepartmentRemoveForm,
    RetryForm,
    UserActionForm,
    UserEditForm,
    UserForm,
)
from tracker.audit import AuditKind
from tracker.auth.accounts import has_password
from tracker.extensions import db
from tracker.models import Department, OutboxMessage, OutboxStatus, User
from tracker.notifications import outbox as outbox_service
from tracker.unit_of_work import unit_of_work


@bp.before_request
def admins_only() -> None:
    services.require_admin(current_user)


def _department_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(d.name, d.name) for d in services.list_departments()
    ]


@bp.route("/users", methods=["GET", "POST"])
def users() -> ResponseReturnValue:
    form = UserForm()
    form.department.choices = _department_choices()
    submitted = form.is_submitted()
    if submitted and form.validate():
        try:
            with unit_of_work():
                user = services.add_invited_user(
                    form.email.data or "",
                    form.name.data or "",
                    form.role.data,
                    department=form.department.data or None,
                    language=form.language.data,
                    position=form.position.data,
                    actor=current_user,
                    address=request.remote_addr,
                )
        except services.AdminError as error:
            form.email.errors.append(str(error))
        else:
            flash(
                _(
                    "%(name)s is added: an invitation to set a password is on its way to "
                    "%(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
    status = 400 if submitted else 200
    return render_template("admin/users.html", form=form, users=services.list_users()), status


def _department_id_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [
        SelectChoice(str(d.id), d.name) for d in services.list_departments()
    ]


def _edit_form(user: User) -> UserEditForm:
    """The account's form: filled from the account on GET, as typed on POST."""
    if request.method != "GET":
        form = UserEditForm()
    else:
        form = UserEditForm(obj=user)
        form.role.data = user.role.value
        form.department.data = str(user.department_id or "")
    form.department.choices = _department_id_choices()
    return form


def _changes(form: UserEditForm) -> services.UserChanges:
    department = form.department.data or ""
    return services.UserChanges(
        name=form.name.data or "",
        email=form.email.data or "",
        role=form.role.data,
        department_id=int(department) if department.isdigit() else None,
        language=form.language.data,
        position=form.position.data,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = _edit_form(user)
    submitted = form.is_submitted()
    if submitted and form.validate():
        try:
            with unit_of_work():
                services.update_user(
                    user, _changes(form), current_user, address=request.remote_addr
                )
        except services.AdminError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("The account of %(name)s is saved.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        action_form=UserActionForm(),
        has_password=has_password(user),
    ), (400 if submitted else 200)


def _user_action(user_id: int, action: Callable[..., None], done: str) -> ResponseReturnValue:
    """A button of the account's page: CSRF checked, one service, back to the page."""
    user = db.get_or_404(User, user_id)
    if not UserActionForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            action(user, current_user, address=request.remote_addr)
    except services.AdminError as error:
        flash(str(error), "error")
    else:
        flash(done % {"name": user.name}, "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> ResponseReturnValue:
    return _user_action(
        user_id,
        services.deactivate_user,
        _("%(name)s can no longer sign in and receives no email."),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int) -> ResponseReturnValue:
    return _user_action(user_id, services.reactivate_user, _("%(name)s can sign in again."))


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
def user_invite(user_id: int) -> ResponseReturnValue:
    return _user_action(
        user_id, services.invite, _("A new invitation to set a password is on its way to %(name)s.")
    )


@bp.route("/departments", methods=["GET", "POST"])
def departments() -> ResponseReturnValue:
    form = DepartmentForm()
    form.parent.choices = _department_choices()
    form.head.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.email, u.name) for u in services.list_users()
    ]
    submitted = form.is_submitted()
    if submitted and form.validate():
        try:
            with unit_of_work():
                department = services.add_department(
                    form.name.data or "",
                    head_email=form.head.data or None,
                    parent=form.parent.data or None,
                    actor=current_user,
                    address=request.remote_addr,
                )
        except services.AdminError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Department %(name)s saved.", name=department.name), "success")
            return redirect(url_for("admin.departments"))
    status = 400 if submitted else 200
    return (
        render_template(
            "admin/departments.html", form=form, departments=services.list_departments()
        ),
        status,
    )


@bp.route("/outbox")
def outbox() -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status not in (None, *(member.value for member in OutboxStatus)):
        abort(404)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, next_page = outbox_service.outbox_page(status, page)
    if not rows and page > 1:  # past the end: the last page, and why
        last = outbox_service.outbox_last_page(status)
        flash(_("There is no page %(page)d: this is the last one.", page=page), "info")
        return redirect(url_for("admin.outbox", status=status, page=last))
    return render_template(
        "admin/outbox.html",
        rows=rows,
        status=status,
        page=page,
        next_page=next_page,
        statuses=[member.value for member in OutboxStatus],
        mail_configured=outbox_service.mail_configured(),
        failed_count=outbox_service.failed_count(),
    )


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id: int) -> ResponseReturnValue:
    row = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", row=row, retry_form=RetryForm())


# The email's own HTML, framed by the message's page: emails style themselves inline, which
# the pages' policy forbids, so this answer has a policy of its own: styles and inline
# images only, no script, framed by our pages alone (tracker/security.py keeps headers set here).
EMAIL_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
)


@bp.route("/outbox/<int:message_id>/email.html")
def outbox_message_html(message_id: int) -> ResponseReturnValue:
    row = db.get_or_404(OutboxMessage, message_id)
    headers = {
        "Content-Security-Policy": EMAIL_PREVIEW_POLICY,
        "X-Frame-Options": "SAMEORIGIN",
    }
    return row.body_html, 200, headers


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def retry_message(message_id: int) -> ResponseReturnValue:
    row = db.get_or_404(OutboxMessage, message_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        outbox_service.retry(row, current_user)
        audit.record(
            AuditKind.EMAIL_RESENT,
            actor=current_user,
            subject=f"email:{row.id}",
            details={"to": row.to_address, "subject": row.subject},
            address=request.remote_addr,
        )
    flash(_("The email will be sent at the next delivery."), "success")
    return redirect(url_for("admin.outbox_message", message_id=row.id))


def _id_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _department_page(
    department: Department,
    form: DepartmentEditForm,
    remove_form: DepartmentRemoveForm,
    status: int = 200,
) -> ResponseReturnValue:
    everyone = services.list_departments()
    inside = services.department_and_inner_ids(department)
    outside = [SelectChoice(str(d.id), d.name) for d in everyone if d.id not in inside]
    form.parent.choices = [SelectChoice("", _("— (at the top)")), *outside]
    form.head.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(u.id), u.name) for u in services.list_users() if u.active
    ]
    remove_form.move_to.choices = [SelectChoice("", "—"), *outside]
    page = render_template(
        "admin/department_edit.html",
        department=department,
        form=form,
        remove_form=remove_form,
        contents=services.department_contents(department),
    )
    return page, status


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int) -> ResponseReturnValue:
    department = db.get_or_404(Department, department_id)
    submitted = request.method == "POST"
    form = DepartmentEditForm() if submitted else _edit_form_of(department)
    if submitted and form.validate():
        changes = services.DepartmentChanges(
            name=form.name.data or "",
            parent_id=_id_or_none(form.parent.data),
            head_id=_id_or_none(form.head.data),
        )
        try:
            with unit_of_work():
                head_cannot_see_dashboard = services.update_department(
                    department, changes, current_user, address=request.remote_addr
                )
        except services.AdminError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Department %(name)s saved.", name=department.name), "success")
            if head_cannot_see_dashboard and department.head is not None:
                flash(_head_warning(department.head), "warning")
            return redirect(url_for("admin.departments"))
    status = 400 if submitted else 200
    return _department_page(department, form, DepartmentRemoveForm(formdata=None), status)


def _edit_form_of(department: Department) -> DepartmentEditForm:
    """The edit form showing the department as saved (formdata=None: not from the request)."""
    form = DepartmentEditForm(formdata=None)
    form.name.data = department.name
    form.parent.data = str(department.parent_id or "")
    form.head.data = str(department.head_id or "")
    return form


def _head_warning(head: User) -> str:
    return _(
        "%(name)s is an officer and cannot see the dashboard, so the department's overdue "
        "tasks reach them only by email. Make them a manager on the Users page, or choose "
        "another head.",
        name=head.name,
    )


@bp.route("/departments/<int:department_id>/remove", methods=["POST"])
def department_remove(department_id: int) -> ResponseReturnValue:
    department = db.get_or_404(Department, department_id)
    remove_form = DepartmentRemoveForm()
    if not remove_form.validate():
        abort(400)
    move_to_id = _id_or_none(remove_form.move_to.data)
    move_to = db.get_or_404(Department, move_to_id) if move_to_id is not None else None
    name = department.name
    try:
        with unit_of_work():
            services.remove_department(
                department, current_user, move_to=move_to, address=request.remote_addr
            )
    except services.AdminError as error:
        remove_form.move_to.errors.append(str(error))
        return _department_page(department, _edit_form_of(department), remove_form, 400)
    if move_to is not None:
        message = _(
            "Department %(name)s removed; what it held is now in %(target)s.",
            name=name,
            target=move_to.name,
        )
    else:
        message = _("Department %(name)s removed.", name=name)
    flash(message, "success")
    return redirect(url_for("admin.departments"))
