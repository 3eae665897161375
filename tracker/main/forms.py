from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf

from tracker.i18n import LANGUAGES


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf(LANGUAGES)])
    next = HiddenField()
    submit = SubmitField()
