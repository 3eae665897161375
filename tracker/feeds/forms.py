from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class CalendarFeedForm(FlaskForm):
    renew = SubmitField(_l("Create a calendar link"))
    revoke = SubmitField(_l("Revoke the link"))
