from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tracker.auth.blueprint import bp
from tracker.auth.forms import LoginForm, SettingsForm
from tracker.auth.services import authenticate, safe_next_path, update_preferences
from tracker.extensions import db, login_manager
from tracker.feeds.forms import CalendarFeedForm
from tracker.feeds.services import calendar_url
from tracker.models import User

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., ResponseReturnValue])

login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page says enough


def public(view: ViewFunction) -> ViewFunction:
    """Mark a view as reachable without signing in; every other view needs a login."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@bp.before_app_request
def require_login() -> ResponseReturnValue | None:
    # Deny by default: a new view is private unless it is marked public.
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next_path(form.next.data) or url_for("main.index"))
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=bool(form.remember.data))
        return redirect(safe_next_path(form.next.data) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        update_preferences(
            current_user,
            language=form.language.data,
            wants_reminders=bool(form.wants_reminders.data),
        )
        db.session.commit()
        session["language"] = current_user.language
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template(
        "auth/settings.html",
        form=form,
        calendar_form=CalendarFeedForm(formdata=None),
        calendar_url=calendar_url(current_user, base_url=current_app.config["TRACKER_BASE_URL"]),
    ), 400 if form.is_submitted() else 200
