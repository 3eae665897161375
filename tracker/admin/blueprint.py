from flask import Blueprint

# cli_group=None: `tracker users …` and `tracker departments …` sit at the top level.
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

from tracker.admin import commands, views  # noqa: E402,F401  (registers routes and commands)
