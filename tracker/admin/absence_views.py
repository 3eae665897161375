"""An admin records or removes the absence of anyone (the admin blueprint's before_request
lets only admins in; the service checks again)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.admin.blueprint import bp
from tracker.auth import absences
from tracker.auth.absence_forms import RemoveAbsenceForm
from tracker.auth.absence_views import absence_context, absence_form, absence_or_404, save_absence
from tracker.extensions import db
from tracker.models import User
from tracker.unit_of_work import unit_of_work


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/absences", methods=["GET", "POST"])
def user_absences(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    form = absence_form(user)
    if form.validate_on_submit() and save_absence(current_user, user, form):
        flash(_("The absence of %(name)s is saved.", name=user.name), "success")
        return redirect(url_for("admin.user_absences", user_id=user.id))
    context = absence_context(
        user,
        form,
        action=url_for("admin.user_absences", user_id=user.id),
        remove_url=lambda absence_id: url_for(
            "admin.remove_user_absence", user_id=user.id, absence_id=absence_id
        ),
    )
    status = 400 if form.is_submitted() else 200
    return render_template("admin/absences.html", **context), status


@bp.route("/users/<int:user_id>/absences/<int:absence_id>/remove", methods=["POST"])
def remove_user_absence(user_id: int, absence_id: int) -> ResponseReturnValue:
    absence = absence_or_404(absence_id)
    if absence.user_id != user_id:
        abort(404)
    if not RemoveAbsenceForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        absences.remove_absence(current_user, absence, address=request.remote_addr)
    flash(_("The absence is removed."), "success")
    return redirect(url_for("admin.user_absences", user_id=user_id))
