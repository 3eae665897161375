from flask import Blueprint

# cli_group=None: `tracker import FILE` sits at the top level.
bp = Blueprint("reports", __name__, url_prefix="/reports", cli_group=None)

from tracker.reports import commands, views  # noqa: E402,F401  (registers routes and commands)
from tracker.reports.messages import warning_text  # noqa: E402

# The parse's warnings, as stored on a report, in the reader's language.
bp.add_app_template_filter(warning_text, "report_warning")
