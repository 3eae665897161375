from flask import Blueprint

# Only a command: `tracker demo`.
bp = Blueprint("demo", __name__, cli_group=None)

from tracker.demo import commands  # noqa: E402,F401  (registers the command)
