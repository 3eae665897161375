from flask import Blueprint
from flask.blueprints import BlueprintSetupState

# Commands only: `tracker remind` and `tracker scheduler` sit at the top level.
bp = Blueprint("notifications", __name__, cli_group=None)


@bp.record_once
def _start_scheduler_for_the_demo(state: BlueprintSetupState) -> None:
    # Only the one-process demo (`make run`) sets this; a deployment runs `tracker scheduler`.
    if state.app.config.get("TRACKER_RUN_SCHEDULER"):
        from tracker.notifications.scheduling import start_in_process

        state.app.extensions["tracker_scheduler"] = start_in_process(state.app)


from tracker.notifications import commands  # noqa: E402,F401  (registers the commands)
