from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

# Importing the view modules registers their routes.
from tracker.tasks import views  # noqa: E402,F401,I001
from tracker.tasks import change_views, comment_views, extension_views  # noqa: E402,F401
