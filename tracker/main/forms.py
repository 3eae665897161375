from wtforms import HiddenField, SubmitField
from wtforms.validators import AnyOf

from tracker.forms_i18n import TrackerForm
from tracker.i18n import LANGUAGES


class LanguageForm(TrackerForm):
    language = HiddenField(validators=[AnyOf(LANGUAGES)])
    next = HiddenField()
    submit = SubmitField()
