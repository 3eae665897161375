"""Pages that record one's own absences: a section of the settings page, and its own page
when the form comes back with an error (so that what was typed is kept)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker.auth import SettingsBlock, absences, add_settings_block
from tracker.auth.absence_forms import AbsenceForm, RemoveAbsenceForm
from tracker.auth.blueprint import bp
from tracker.extensions import db
from tracker.i18n import org_today
from tracker.models import Absence, User
from tracker.unit_of_work import unit_of_work


def absence_form(user: User, *, formdata: bool = True) -> AbsenceForm:
    """The form for `user`'s absence, its substitute choices filled in."""
    form = AbsenceForm() if formdata else AbsenceForm(formdata=None)
    form.substitute.choices = [
        SelectChoice(candidate.id, candidate.name)
        for candidate in absences.substitute_candidates(user)
    ]
    return form


def absence_context(
    user: User,
    form: AbsenceForm | None = None,
    *,
    action: str | None = None,
    remove_url: Callable[[int], str] | None = None,
) -> dict[str, object]:
    """What templates/auth/_absences.html shows for `user`: by default the forms of one's
    own absences (the settings page); the admin's page passes its own addresses."""
    return {
        "absence_user": user,
        "absence_action": action or url_for("auth.my_absences"),
        "remove_absence_url": remove_url
        or (lambda absence_id: url_for("auth.remove_my_absence", absence_id=absence_id)),
        "absences": absences.absences_of(user, org_today()),
        "absence_form": form or absence_form(user, formdata=False),
        "remove_absence_form": RemoveAbsenceForm(formdata=None),
    }


def save_absence(actor: User, user: User, form: AbsenceForm) -> bool:
    """Record the form's absence for `user`; False, with the error on its field, when refused."""
    substitute = db.session.get(User, form.substitute.data) if form.substitute.data else None
    if substitute is None:
        form.substitute.errors = [_("Choose a substitute.")]
        return False
    try:
        with unit_of_work():
            absences.set_absence(
                actor,
                user,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                substitute=substitute,
                note=form.note.data,
                today=org_today(),
                address=request.remote_addr,
            )
    except absences.AbsenceRefused as refusal:
        getattr(form, refusal.field).errors = [str(refusal)]
        return False
    return True


def absence_or_404(absence_id: int) -> Absence:
    absence = db.session.get(Absence, absence_id)
    if absence is None:
        abort(404)
    return absence


@bp.route("/settings/absences", methods=["GET", "POST"])
def my_absences() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = absence_form(user)
    if form.validate_on_submit() and save_absence(user, user, form):
        flash(_("Your absence is saved."), "success")
        return redirect(url_for("auth.settings", _anchor="absences"))
    context = absence_context(user, form)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/absences.html", **context), status


@bp.route("/settings/absences/<int:absence_id>/remove", methods=["POST"])
def remove_my_absence(absence_id: int) -> ResponseReturnValue:
    absence = absence_or_404(absence_id)
    if not RemoveAbsenceForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        # Someone else's absence: refused (403) by the service unless the actor is an admin.
        absences.remove_absence(current_user, absence, address=request.remote_addr)
    flash(_("The absence is removed."), "success")
    return redirect(url_for("auth.settings", _anchor="absences"))


def _register_settings_block(app: Flask) -> None:
    add_settings_block(app, SettingsBlock("auth/_absences.html", absence_context))


bp.record_once(lambda state: _register_settings_block(state.app))  # type: ignore[arg-type]
