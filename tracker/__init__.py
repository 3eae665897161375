"""Follow-up Tracker: trip-report recommendations tracked until they are done."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pure modules (parsing, policy) must import without Flask
    from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
# The directory holding the package: the checkout, or site-packages for an installed wheel.
PROJECT_ROOT = PACKAGE_DIR.parent


def _shipped(name: str) -> Path:
    """templates/ or migrations/: inside the package when installed from a wheel (setup.py and
    pyproject.toml put them there), at the top of the checkout otherwise (editable install)."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PROJECT_ROOT / name


TEMPLATES_DIR = _shipped("templates")
MIGRATIONS_DIR = _shipped("migrations")


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions and blueprints, nothing more."""
    from flask import Flask

    from config import config_from_environment
    from tracker import i18n
    from tracker.clock import install_clock
    from tracker.extensions import babel, csrf, db, init_migrations, login_manager, mail

    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_relative_config=True,
    )
    app.config.from_object(config_from_environment() if config is None else config)
    if isinstance(config, dict):
        app.config.from_mapping(config)
    if not app.config.get("SECRET_KEY"):
        if app.config.get("REQUIRE_SECRET_KEY"):
            raise RuntimeError("TRACKER_SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    install_clock(app)

    db.init_app(app)
    init_migrations(app, str(MIGRATIONS_DIR))
    login_manager.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(PACKAGE_DIR / "translations"),
    )

    from tracker.admin.blueprint import bp as admin_bp
    from tracker.auth.blueprint import bp as auth_bp
    from tracker.dashboard.blueprint import bp as dashboard_bp
    from tracker.demo.blueprint import bp as demo_bp
    from tracker.feeds.blueprint import bp as feeds_bp
    from tracker.main.blueprint import bp as main_bp
    from tracker.notifications.blueprint import bp as notifications_bp
    from tracker.reporting.blueprint import bp as reporting_bp
    from tracker.reports.blueprint import bp as reports_bp
    from tracker.tasks.blueprint import bp as tasks_bp

    for blueprint in (
        main_bp,
        auth_bp,
        tasks_bp,
        reports_bp,
        dashboard_bp,
        reporting_bp,
        admin_bp,
        notifications_bp,
        demo_bp,
        feeds_bp,
    ):
        app.register_blueprint(blueprint)

    # What features offer one another, wired here so that no feature imports the one it
    # serves: sign-in for every view, the settings page's sections, the tasks' events.
    from tracker import auth, dashboard, feeds, notifications, reporting, reports, security

    security.init_app(app)
    auth.init_app(app)
    reports.init_app(app)  # scanned reports: read by the scheduler's minute job, a command
    feeds.init_app(app)
    notifications.init_app(app)
    dashboard.init_app(app)  # the trends' closed months: a daily planner, a command
    reporting.init_app(app)  # the leadership digest: the scheduler's daily planner, a command
    return app


def _instance_secret_key(instance_path: Path) -> str:
    """A random key kept in the instance folder, so a development server needs no setup
    and its sessions survive a restart. Production sets TRACKER_SECRET_KEY."""
    import secrets

    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
