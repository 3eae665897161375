from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from tracker.tasks import views  # noqa: E402,F401  (registers the routes)
