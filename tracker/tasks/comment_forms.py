"""The discussion's form (#11 item 6)."""

import os

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import Field, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.forms_i18n import TrackerForm
from tracker.tasks.comments import BODY_LIMIT


class CommentForm(TrackerForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=BODY_LIMIT)])
    attachment = FileField(_l("Attachment (optional)"))
    submit = SubmitField(_l("Post the comment"))

    def validate_attachment(self, field: Field) -> None:
        """Said beside the field, so the comment typed is kept (the service checks again)."""
        upload = field.data
        if not upload or not upload.filename:
            return
        limit = int(current_app.config["TRACKER_UPLOAD_MAX_BYTES"])
        try:
            size = upload.stream.seek(0, os.SEEK_END)
            upload.stream.seek(0)
        except (OSError, ValueError):  # not seekable: the service reads it within the limit
            return
        if size > limit:
            raise ValidationError(
                _l("The attachment is too large: at most %(size)s MB.", size=limit // (1024 * 1024))
            )
