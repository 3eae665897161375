from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from tracker.auth import public
from tracker.auth.services import choose_language, safe_next_path
from tracker.display import stored_value, when
from tracker.extensions import db
from tracker.forms_i18n import translated_error
from tracker.main.blueprint import bp
from tracker.main.forms import LanguageForm
from tracker.models import Role
from tracker.permissions import PermissionDenied
from tracker.unit_of_work import unit_of_work


@bp.route("/")
def index() -> ResponseReturnValue:
    """Where each role's work is: the dashboard for managers, staff and admins, the task
    list for officers (login sends here when there is no `next`)."""
    if current_user.role is Role.OFFICER:
        return redirect(url_for("tasks.my_tasks"))
    return redirect(url_for("dashboard.index"))


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        # The error's text can name the server, the user or the file: it goes to the log,
        # never to whoever asks this public address.
        current_app.logger.exception("/healthz: the database did not answer")
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/language", methods=["POST"])
@public
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            with unit_of_work():
                choose_language(current_user, form.language.data)
        session["language"] = form.language.data
    return redirect(safe_next_path(form.next.data) or url_for("main.index"))


@bp.app_errorhandler(PermissionDenied)
def permission_denied(_error: PermissionDenied) -> ResponseReturnValue:
    return render_template("errors/error.html", code=403, message=_("You may not do this.")), 403


@bp.app_errorhandler(CSRFError)
def csrf_failed(_error: CSRFError) -> ResponseReturnValue:
    message = _("The form has expired. Go back, reload the page and try again.")
    return render_template("errors/error.html", code=400, message=message), 400


@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(413)
def http_error(error: HTTPException) -> ResponseReturnValue:
    messages = {
        403: _("You may not see this page."),
        404: _("There is no such page."),
        413: _("The file is too large."),
    }
    code = error.code or 500
    return render_template("errors/error.html", code=code, message=messages[code]), code


# Every date and time in the templates reads through `when`; every form error through
# `error` (Flask-WTF's CSRF messages arrive untranslated).
bp.add_app_template_filter(when, "when")
bp.add_app_template_filter(stored_value, "stored")
bp.add_app_template_filter(translated_error, "error")


@bp.app_context_processor
def inject_template_helpers() -> dict[str, object]:
    # formdata=None: the switch never reads the request body, which may be the reason an
    # error page is being shown (a body over the size limit).
    return {
        "language_form": lambda: LanguageForm(formdata=None),
        "get_locale": get_locale,
        "outbox_status_label": outbox_status_label,
    }


def outbox_status_label(status: str) -> str:
    labels = {
        "pending": _("Waiting"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
    }
    return labels.get(status, status)
