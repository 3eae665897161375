from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import public
from tracker.feeds import services, team
from tracker.feeds.blueprint import bp
from tracker.feeds.forms import CalendarFeedForm, TeamCalendarForm
from tracker.i18n import org_today
from tracker.permissions import PermissionDenied
from tracker.unit_of_work import unit_of_work

# Calendar apps poll; five minutes spares the database without hiding a new deadline long.
FEED_HEADERS = {"Cache-Control": "private, max-age=300"}
FEED_CONTENT_TYPE = "text/calendar; charset=utf-8"


@bp.route("/calendar/<token>.ics")
@public  # calendar apps cannot sign in: the unguessable token is the credential
def calendar_feed(token: str) -> ResponseReturnValue:
    user = services.user_for_token(token)
    if user is None:
        abort(404)
    body = services.calendar_for(
        user,
        base_url=current_app.config["TRACKER_BASE_URL"],
        timezone=current_app.config["TRACKER_TIMEZONE"],
    )
    return Response(body, content_type=FEED_CONTENT_TYPE, headers=FEED_HEADERS)


@bp.route("/calendar/team/<token>.ics")
@public  # as the personal feed: the unguessable token is the credential
def team_calendar_feed(token: str) -> ResponseReturnValue:
    """A manager's department tree (#14): 404 once the token is revoked or renewed, or its
    user is deactivated or no longer manages a department."""
    user = team.manager_for_team_token(token)
    if user is None:
        abort(404)
    body = team.team_calendar_for(
        user,
        base_url=current_app.config["TRACKER_BASE_URL"],
        timezone=current_app.config["TRACKER_TIMEZONE"],
        today=org_today(),
    )
    return Response(body, content_type=FEED_CONTENT_TYPE, headers=FEED_HEADERS)


@bp.route("/settings/calendar", methods=["POST"])
def calendar_settings() -> ResponseReturnValue:
    form = CalendarFeedForm()
    if not form.validate_on_submit() or not (form.revoke.data or form.renew.data):
        abort(400)
    with unit_of_work():
        if form.revoke.data:
            services.revoke_calendar_token(current_user)
            message = _("Your calendar link is revoked: it no longer works.")
        else:
            renewed = services.renew_calendar_token(current_user)
            message = (
                # Whoever subscribed with the old link must subscribe again: say so.
                _("Your calendar link is renewed. The old one no longer works: subscribe again.")
                if renewed
                else _(
                    "Your calendar link is ready. Add it to your calendar app as a subscription."
                )
            )
    flash(message, "success")
    return redirect(url_for("auth.settings"))


@bp.route("/settings/calendar/team", methods=["POST"])
def team_calendar_settings() -> ResponseReturnValue:
    """Create, renew or revoke the department link. Only a manager may create or renew
    one; anyone may revoke their own (a link left from a former role stays revocable)."""
    form = TeamCalendarForm()
    if not form.validate_on_submit() or not (form.team_revoke.data or form.team_renew.data):
        abort(400)
    if not form.team_revoke.data and not team.manages_departments(current_user):
        raise PermissionDenied
    with unit_of_work():
        if form.team_revoke.data:
            team.revoke_team_calendar_token(current_user)
            message = _("Your department calendar link is revoked: it no longer works.")
        elif team.renew_team_calendar_token(current_user):
            message = _(
                "Your department calendar link is renewed. The old one no longer works: "
                "subscribe again."
            )
        else:
            message = _(
                "Your department calendar link is ready. Add it to your calendar app as a "
                "subscription."
            )
    flash(message, "success")
    return redirect(url_for("auth.settings"))
