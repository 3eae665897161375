from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from tracker.dashboard import views  # noqa: E402,F401  (registers the routes)
