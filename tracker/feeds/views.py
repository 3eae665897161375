from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.views import public
from tracker.extensions import db
from tracker.feeds import services
from tracker.feeds.blueprint import bp
from tracker.feeds.forms import CalendarFeedForm


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
    if not form.validate_on_submit():
        abort(400)
    message = _change_link(form)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("auth.settings"))


def _change_link(form: CalendarFeedForm) -> str:
    """Apply the button that was pressed; the flash message says what it did."""
    if form.revoke.data:
        services.revoke_calendar_token(current_user)
        return _("Your calendar link is revoked: it no longer works.")
    if not form.renew.data:
        abort(400)
    # Whoever subscribed with the old link must subscribe again: say so.
    renewed = current_user.calendar_token is not None
    services.issue_calendar_token(current_user)
    if renewed:
        return _("Your calendar link is renewed. The old one no longer works: subscribe again.")
    return _("Your calendar link is ready. Add it to your calendar app as a subscription.")
