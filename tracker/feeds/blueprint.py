from flask import Blueprint

bp = Blueprint("feeds", __name__)

from tracker.feeds import views  # noqa: E402,F401  (registers the routes)
