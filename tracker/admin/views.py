from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker.admin import services
from tracker.admin.blueprint import bp
from tracker.admin.forms import DepartmentForm, UserForm
from tracker.extensions import db


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
            user = services.create_user(
                form.email.data or "",
                form.name.data or "",
                form.role.data,
                form.password.data or "",
                department=form.department.data or None,
                language=form.language.data,
            )
        except services.AdminError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s can now sign in.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    status = 400 if submitted else 200
    return render_template("admin/users.html", form=form, users=services.list_users()), status


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
            department, _created = services.save_department(
                form.name.data or "",
                head_email=form.head.data or None,
                parent=form.parent.data or None,
            )
        except services.AdminError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Department %(name)s saved.", name=department.name), "success")
            return redirect(url_for("admin.departments"))
    status = 400 if submitted else 200
    return (
        render_template(
            "admin/departments.html", form=form, departments=services.list_departments()
        ),
        status,
    )
