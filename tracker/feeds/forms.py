from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from tracker.forms_i18n import TrackerForm


class CalendarFeedForm(TrackerForm):
    renew = SubmitField(_l("Create a calendar link"))
    revoke = SubmitField(_l("Revoke the link"))


class TeamCalendarForm(TrackerForm):
    """The manager's second link (#14): their department tree's deadlines."""

    team_renew = SubmitField(_l("Include my department's deadlines"))
    team_revoke = SubmitField(_l("Revoke the department link"))
