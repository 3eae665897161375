from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import public
from tracker.feeds import services
from tracker.feeds.blueprint import bp
from tracker.feeds.forms import CalendarFeedForm
from tracker.unit_of_work import unit_of_work


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
    # Calendar apps poll; five minutes spares the database without hiding a new deadline long.
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


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
