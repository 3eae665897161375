"""The discussion's form (#11 item 6)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.forms_i18n import TrackerForm
from tracker.tasks.comments import BODY_LIMIT


class CommentForm(TrackerForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=BODY_LIMIT)])
    attachment = FileField(_l("Attachment (optional)"))
    submit = SubmitField(_l("Post the comment"))
