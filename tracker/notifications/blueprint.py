from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

# The notifications page, and commands: `tracker remind`, `tracker notify` and
# `tracker scheduler` sit at the top level.
bp = Blueprint("notifications", __name__, cli_group=None)


@bp.record_once
def _start_scheduler_for_the_demo(state: BlueprintSetupState) -> None:
    # Only the one-process demo (`make run`) sets this; a deployment runs `tracker scheduler`.
    app = state.app
    # Typed as Flask's base class (shared with Quart); this application is a Flask one.
    assert isinstance(app, Flask)
    if app.config.get("TRACKER_RUN_SCHEDULER"):
        from tracker.notifications.scheduling import start_in_process

        app.extensions["tracker_scheduler"] = start_in_process(app)


from tracker.notifications import commands, views  # noqa: E402,F401  (registers them)
