from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf(["hy", "en"])])
    next = HiddenField()
    submit = SubmitField()
