from flask import Blueprint

# cli_group=None: `tracker users …` and `tracker departments …` sit at the top level.
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

# Registers routes and commands (users, departments, outbox; absences; policy; audit log).
from tracker.admin import absence_views, audit_views, commands, policy_views, views  # noqa: E402,F401
