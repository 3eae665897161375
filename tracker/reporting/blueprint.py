from flask import Blueprint

# The progress report lives beside the trip reports' pages (/reports/<id>), which take only
# numbers after /reports/, so /reports/progress is this blueprint's.
bp = Blueprint("reporting", __name__, url_prefix="/reports")

from tracker.reporting import views  # noqa: E402,F401  (registers the routes)
