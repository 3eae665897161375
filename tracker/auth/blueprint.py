from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import absence_views, views  # noqa: E402,F401  (registers the routes)
