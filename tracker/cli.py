"""The `tracker` console script: Flask's CLI bound to the application factory."""

from flask.cli import FlaskGroup

from tracker import create_app

main = FlaskGroup(create_app=create_app, help="Follow-up Tracker: trip report follow-up.")
