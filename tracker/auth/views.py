from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from tracker.auth import public, sessions, settings_blocks
from tracker.auth.blueprint import bp
from tracker.auth.forms import LoginForm, SettingsForm
from tracker.auth.services import safe_next_path, update_preferences
from tracker.unit_of_work import unit_of_work


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next_path(form.next.data) or url_for("main.index"))
    if form.validate_on_submit():
        # Committed whatever the outcome: a failed try must count (tracker/auth/throttle.py).
        with unit_of_work():
            outcome = sessions.sign_in(
                form.email.data or "",
                form.password.data or "",
                remember=bool(form.remember.data),
                address=request.remote_addr or "",
            )
        if outcome.delay is not None:
            # The password was not checked: even the right one waits.
            minutes = outcome.delay.minutes
            flash(
                ngettext(
                    "Too many sign-in attempts. Try again in %(num)d minute.",
                    "Too many sign-in attempts. Try again in %(num)d minutes.",
                    minutes,
                ),
                "error",
            )
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(outcome.delay.seconds)}
        if outcome.user is None:
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 401
        sessions.start_session(outcome.user)
        response = redirect(safe_next_path(form.next.data) or url_for("main.index"))
        if outcome.remember_cookie is not None:
            sessions.set_remember_cookie(response, outcome.remember_cookie)
        return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    # Every session and remember-me token of the user ends, on this device and the others.
    with unit_of_work():
        sessions.sign_out(current_user, address=request.remote_addr or "")
    sessions.forget_session()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    sessions.delete_remember_cookie(response)
    return response


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        with unit_of_work():
            update_preferences(
                current_user,
                language=form.language.data,
                wants_reminders=bool(form.wants_reminders.data),
                wants_event_emails=bool(form.wants_event_emails.data),
            )
        session["language"] = current_user.language
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    # The other features' sections (the calendar link, …), each from its own feature.
    blocks = [
        Markup(render_template(block.template, **block.context(current_user)))
        for block in settings_blocks(current_app)
    ]
    return render_template("auth/settings.html", form=form, blocks=blocks), (
        400 if form.is_submitted() else 200
    )
