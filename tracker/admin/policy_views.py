"""The reminder policy page (#12 item 7): each setting in effect, its environment default,
a change validated and recorded in the audit log, a reset to the default."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field, StringField

from tracker import policy_settings
from tracker.admin.blueprint import bp
from tracker.forms_i18n import TrackerForm
from tracker.policy_settings import BY_KEY, SETTINGS, PolicyInvalid
from tracker.unit_of_work import unit_of_work


class PolicyForm(TrackerForm):
    """One text field per setting, named by its key; the switch is typed as on/off by a
    select in the template. The store validates (tracker/policy_settings.py)."""


for _setting in SETTINGS:
    setattr(PolicyForm, _setting.key, StringField(_setting.label))


class ResetForm(TrackerForm):
    """The CSRF token of a reset button (it posts the policy form to the reset address)."""


def _fields(form: PolicyForm) -> dict[str, Field]:
    return {setting.key: form[setting.key] for setting in SETTINGS}


def _page(form: PolicyForm, status: int = 200) -> ResponseReturnValue:
    states = policy_settings.policy_states()
    return render_template("admin/policy.html", form=form, states=states), status


@bp.route("/policy", methods=["GET", "POST"])
def policy() -> ResponseReturnValue:
    form = PolicyForm()
    fields = _fields(form)
    if not form.is_submitted():
        for state in policy_settings.policy_states():
            fields[state.setting.key].data = state.value
        return _page(form)
    if not form.validate():
        abort(400)  # only the CSRF token can fail here
    typed = {key: field.data or "" for key, field in fields.items()}
    try:
        with unit_of_work():
            changes = policy_settings.change_policy(
                current_user, typed, address=request.remote_addr
            )
    except PolicyInvalid as invalid:
        for key, message in invalid.errors.items():
            fields[key].errors = [message]
        return _page(form, 400)
    if changes:
        flash(_("The reminder policy is saved; the next planning run uses it."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("admin.policy"))


@bp.route("/policy/<key>/reset", methods=["POST"])
def reset_policy_setting(key: str) -> ResponseReturnValue:
    if key not in BY_KEY:
        abort(404)
    if not ResetForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        reset = policy_settings.reset_setting(current_user, key, address=request.remote_addr)
    if reset:
        flash(_("%(setting)s is back to its default.", setting=BY_KEY[key].label), "success")
    return redirect(url_for("admin.policy"))


@bp.route("/")
def index() -> ResponseReturnValue:
    """The admin pages in one place: the menu's row is full at 1366 px in Armenian, so the
    policy and the audit log are reached from here (the top bar's Administration link)."""
    return render_template("admin/index.html")
