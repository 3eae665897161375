from __future__ import annotations

from typing import cast

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from tracker.auth import (
    SettingsBlock,
    accounts,
    add_settings_block,
    public,
    sessions,
    settings_blocks,
    throttle,
)
from tracker.auth.blueprint import bp
from tracker.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    SettingsForm,
)
from tracker.auth.links import LinkAlreadyUsed, LinkExpired, PasswordLinkError, Purpose
from tracker.auth.passwords import MIN_LENGTH
from tracker.auth.services import safe_next_path, update_preferences
from tracker.extensions import db
from tracker.models import User
from tracker.unit_of_work import unit_of_work


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next_path(form.next.data) or url_for("main.index"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    # Committed whatever the outcome: a failed try must count (tracker/auth/throttle.py).
    with unit_of_work():
        outcome = sessions.sign_in(
            form.email.data or "",
            form.password.data or "",
            remember=bool(form.remember.data),
            address=request.remote_addr or "",
        )
    if outcome.user is None:
        return _refused(form, outcome.delay)
    sessions.start_session(outcome.user)
    response = redirect(safe_next_path(form.next.data) or url_for("main.index"))
    if outcome.remember_cookie is not None:
        sessions.set_remember_cookie(response, outcome.remember_cookie)
    return response


def _refused(form: LoginForm, delay: throttle.Delay | None) -> ResponseReturnValue:
    """The login page again: 401 for a wrong email or password, 429 while throttled (the
    password was not checked then: even the right one waits)."""
    if delay is None:
        flash(_("Wrong email or password."), "error")
        return render_template("auth/login.html", form=form), 401
    flash(
        ngettext(
            "Too many sign-in attempts. Try again in %(num)d minute.",
            "Too many sign-in attempts. Try again in %(num)d minutes.",
            delay.minutes,
        ),
        "error",
    )
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(delay.seconds)}


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


# --- Passwords: set from an invitation, reset by email, change in the settings -------------


def _speak_the_language_of(user: User) -> None:
    """A link from an email opens in its reader's language, unless this visitor has chosen
    one (the language switch on this page, or their own account's)."""
    if not current_user.is_authenticated and "language" not in session:
        session["language"] = user.language


def _link_problem(error: PasswordLinkError) -> ResponseReturnValue:
    """Why the link cannot be used, in its user's language when the link names them."""
    user = db.session.get(User, error.user_id) if error.user_id is not None else None
    if user is not None:
        _speak_the_language_of(user)
    if isinstance(error, LinkExpired):
        message, status = _("This link has expired. Ask for a new one below."), 410
    elif isinstance(error, LinkAlreadyUsed):
        message, status = _("This link has already been used. Ask for a new one below."), 410
    else:
        message, status = _("This link is not valid. Ask for a new one below."), 404
    return render_template("auth/password_link_problem.html", message=message), status


def _password_from_link(token: str, purpose: Purpose) -> ResponseReturnValue:
    """GET shows the form and spends nothing (a mail scanner may open the link); the POST
    with the new password twice spends it."""
    try:
        link = accounts.read_link(token, purpose)
    except PasswordLinkError as error:
        return _link_problem(error)
    _speak_the_language_of(link.user)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                accounts.set_password_from_link(
                    token, purpose, form.password.data or "", address=request.remote_addr
                )
        except accounts.PasswordRefused as refusal:
            form.password.errors = [str(refusal)]
        except PasswordLinkError as error:
            return _link_problem(error)
        else:
            if current_user.is_authenticated:
                sessions.forget_session()
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    title = _("Set your password") if purpose is Purpose.INVITATION else _("Set a new password")
    return render_template(
        "auth/password_set.html",
        form=form,
        title=title,
        user=link.user,
        min_password_length=MIN_LENGTH,
    ), (400 if form.is_submitted() else 200)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def password_set(token: str) -> ResponseReturnValue:
    return _password_from_link(token, Purpose.INVITATION)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def password_reset(token: str) -> ResponseReturnValue:
    return _password_from_link(token, Purpose.RESET)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def password_forgot() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Committed whatever the outcome: every request counts for the throttle.
        with unit_of_work():
            delay = accounts.ask_password_reset(
                form.email.data or "", address=request.remote_addr or ""
            )
        if delay is not None:
            flash(
                ngettext(
                    "Too many requests. Try again in %(num)d minute.",
                    "Too many requests. Try again in %(num)d minutes.",
                    delay.minutes,
                ),
                "error",
            )
            page = render_template("auth/password_forgot.html", form=form)
            return page, 429, {"Retry-After": str(delay.seconds)}
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account exists for this address, we have sent it a link to set a new "
                "password. Check your email."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/password_forgot.html", form=form), (
        400 if form.is_submitted() else 200
    )


@bp.route("/settings/password", methods=["GET", "POST"])
def password_change() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            with unit_of_work():
                accounts.change_password(
                    user,
                    form.current.data or "",
                    form.password.data or "",
                    address=request.remote_addr,
                )
        except accounts.WrongCurrentPassword:
            form.current.errors = [_("This is not your current password.")]
        except accounts.PasswordRefused as refusal:
            form.password.errors = [str(refusal)]
        else:
            # Every session ended with the change; this browser signs in again at once,
            # so it carries the new session version.
            sessions.start_session(user)
            flash(_("Your password is changed. Your other sessions have ended."), "success")
            return redirect(url_for("auth.settings"))
    return render_template(
        "auth/password_change.html", form=form, min_password_length=MIN_LENGTH
    ), (400 if form.is_submitted() else 200)


# The settings page links to the password change, as a section of its own.
@bp.record_once
def _add_password_block(state: BlueprintSetupState) -> None:
    add_settings_block(
        cast("Flask", state.app), SettingsBlock("auth/_password_block.html", lambda user: {})
    )
