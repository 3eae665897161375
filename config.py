"""Configuration from environment variables.

`TRACKER_ENV` picks the class (development by default, production for a deployment);
every setting a deployment changes is read from the environment by the base class.
"""

from __future__ import annotations

import os
from typing import ClassVar

from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    SECRET_KEY: str | None = os.environ.get("TRACKER_SECRET_KEY")
    # A relative SQLite path lives in the instance folder (Flask-SQLAlchemy resolves it there).
    SQLALCHEMY_DATABASE_URI = os.environ.get("TRACKER_DATABASE_URL", "sqlite:///tracker.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}

    TRACKER_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Asia/Yerevan")
    # A rehearsal's "today" (YYYY-MM-DD): overdue, the dashboard and the reminders act as on
    # that day (tracker/clock.py). Unset, the real date.
    TRACKER_TODAY = os.environ.get("TRACKER_TODAY") or None
    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000")
    TRACKER_UPLOAD_MAX_BYTES = _env_int("TRACKER_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    # Flask refuses larger request bodies before a view reads them; leave room for form fields.
    MAX_CONTENT_LENGTH = TRACKER_UPLOAD_MAX_BYTES + 1024 * 1024
    # An uploaded or imported report is parsed in a child process with these limits.
    TRACKER_PARSE_CPU_SECONDS = _env_int("TRACKER_PARSE_CPU_SECONDS", 20)
    TRACKER_PARSE_MEMORY_MB = _env_int("TRACKER_PARSE_MEMORY_MB", 512)
    TRACKER_PARSE_TIMEOUT_SECONDS = _env_int("TRACKER_PARSE_TIMEOUT_SECONDS", 30)  # on the clock
    # A scanned report is read by OCR (#15) in the same kind of child process, with room for
    # Tesseract: about 2 s of CPU a page, so the limits are those of a 100-page scan.
    TRACKER_OCR_CPU_SECONDS = _env_int("TRACKER_OCR_CPU_SECONDS", 600)
    TRACKER_OCR_MEMORY_MB = _env_int("TRACKER_OCR_MEMORY_MB", 2048)
    TRACKER_OCR_TIMEOUT_SECONDS = _env_int("TRACKER_OCR_TIMEOUT_SECONDS", 900)
    # A scan is read by a thread of the web process that took the upload, at once; the
    # scheduler's minute job reads what no thread took (a restart) or a crashed reading left,
    # once its lease has passed, at most this many times.
    TRACKER_BACKGROUND_IN_PROCESS = _env_bool("TRACKER_BACKGROUND_IN_PROCESS", True)
    TRACKER_BACKGROUND_WORKERS = _env_int("TRACKER_BACKGROUND_WORKERS", 1)
    TRACKER_SCAN_MAX_ATTEMPTS = _env_int("TRACKER_SCAN_MAX_ATTEMPTS", 3)

    BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = TRACKER_TIMEZONE
    LANGUAGES = LANGUAGES

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("TRACKER_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # A session unused for this long is refused (tracker/auth/sessions.py checks the time it
    # was last seen, kept in the signed cookie, so a replayed old cookie does not work either).
    TRACKER_SESSION_IDLE_MINUTES = _env_int("TRACKER_SESSION_IDLE_MINUTES", 60)
    SESSION_REFRESH_EACH_REQUEST = True
    # "Keep me signed in": a token per sign-in, stored hashed, ended by logout (#12).
    TRACKER_REMEMBER_DAYS = _env_int("TRACKER_REMEMBER_DAYS", 14)
    # Sign-in throttling (tracker/auth/throttle.py), counted in the database. After this many
    # failures within the window, each further try waits 1, 2, 4 … minutes (at most the
    # maximum) after the last failure; a success clears the account's count. The window is
    # long beside the maximum delay, or a guesser would get a fresh allowance every hour.
    # An address counts everyone behind it (an office's NAT), hence more leeway.
    TRACKER_THROTTLE_FREE_FAILURES = _env_int("TRACKER_THROTTLE_FREE_FAILURES", 5)
    TRACKER_THROTTLE_ADDRESS_FREE_FAILURES = _env_int("TRACKER_THROTTLE_ADDRESS_FREE_FAILURES", 50)
    TRACKER_THROTTLE_WINDOW_MINUTES = _env_int("TRACKER_THROTTLE_WINDOW_MINUTES", 24 * 60)
    TRACKER_THROTTLE_MAX_DELAY_MINUTES = _env_int("TRACKER_THROTTLE_MAX_DELAY_MINUTES", 15)

    # Reminders: see DESIGN.md "Notification policy"; days are working days unless named.
    TRACKER_REMINDER_DAYS = os.environ.get("TRACKER_REMINDER_DAYS", "7,1")
    TRACKER_OVERDUE_REPEAT_DAYS = _env_int("TRACKER_OVERDUE_REPEAT_DAYS", 7)  # calendar days
    TRACKER_ESCALATION_DAYS = os.environ.get("TRACKER_ESCALATION_DAYS", "3,10")
    # A task reported done and not accepted within this many working days escalates to the
    # manager's manager (docs/policy.md "Awaiting acceptance").
    TRACKER_ACCEPTANCE_DAYS = _env_int("TRACKER_ACCEPTANCE_DAYS", 5)
    TRACKER_REMINDER_HOUR = _env_int("TRACKER_REMINDER_HOUR", 9)  # local hour of the daily run
    TRACKER_ACTION_LINK_DAYS = _env_int("TRACKER_ACTION_LINK_DAYS", 14)
    # How long the link of an invitation to set a password, and of a password reset, works.
    TRACKER_INVITATION_DAYS = _env_int("TRACKER_INVITATION_DAYS", 7)
    TRACKER_RESET_HOURS = _env_int("TRACKER_RESET_HOURS", 2)
    # Verification of completion (audit practice: whoever did the work does not close it
    # alone): an owner's "mark done" waits for a manager, staff or an admin to accept it.
    TRACKER_REQUIRE_ACCEPTANCE = _env_bool("TRACKER_REQUIRE_ACCEPTANCE", True)
    # Items per digest section (overdue, escalations, due soon); the rest behind one link.
    TRACKER_DIGEST_MAX_ITEMS = _env_int("TRACKER_DIGEST_MAX_ITEMS", 50)
    # An outage or a temporary (4xx) refusal is not the message's fault: it is tried again
    # for this long after it was written (at least 48 hours); only a 5xx answer fails it.
    TRACKER_MAIL_RETRY_HOURS = _env_int("TRACKER_MAIL_RETRY_HOURS", 72)
    # A sender renews its claim on a batch while it works; a dead sender's claims come back
    # once this has passed without renewal.
    TRACKER_MAIL_LEASE_SECONDS = _env_int("TRACKER_MAIL_LEASE_SECONDS", 60)
    # A planning run that waits longer than this for a database lock fails and is retried.
    TRACKER_PLAN_LOCK_TIMEOUT_SECONDS = _env_int("TRACKER_PLAN_LOCK_TIMEOUT_SECONDS", 60)
    # A failed planning run is retried the same day after 1, 2, 4 … minutes, at most this.
    TRACKER_PLAN_RETRY_MAX_MINUTES = _env_int("TRACKER_PLAN_RETRY_MAX_MINUTES", 30)
    TRACKER_MAIL_BATCH_SIZE = _env_int("TRACKER_MAIL_BATCH_SIZE", 200)
    TRACKER_MAIL_CONNECTIONS = _env_int("TRACKER_MAIL_CONNECTIONS", 2)  # in parallel per batch
    TRACKER_SMTP_TIMEOUT = _env_int("TRACKER_SMTP_TIMEOUT", 30)  # seconds
    # Events for one person within this many minutes of their first go out as one email.
    TRACKER_EVENT_WINDOW_MINUTES = _env_int("TRACKER_EVENT_WINDOW_MINUTES", 5)
    # The leadership digest (tracker/reporting/leadership.py): each head and admin gets the
    # figures, the changes and the most overdue items of what they oversee, with the progress
    # report as a PDF, once per "month" or "quarter" ("off": none), from this day of the month
    # after the period (1-28; planned by the scheduler's run on the first working day from it).
    TRACKER_LEADERSHIP_DIGEST = os.environ.get("TRACKER_LEADERSHIP_DIGEST", "month")
    TRACKER_LEADERSHIP_DIGEST_DAY = _env_int("TRACKER_LEADERSHIP_DIGEST_DAY", 1)
    # Reverse proxies in front of the application whose X-Forwarded-For/-Proto to trust (0: none).
    TRACKER_PROXY_COUNT = _env_int("TRACKER_PROXY_COUNT", 0)
    # Only `make run` sets it: the demo server then runs the scheduler in its own process.
    TRACKER_RUN_SCHEDULER = _env_bool("TRACKER_RUN_SCHEDULER")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost")
    # Flask-Mail would otherwise follow DEBUG and print every message's bytes to stderr.
    MAIL_DEBUG = _env_bool("MAIL_DEBUG")

    # Production sets both (see ProductionConfig); tracker/security.py reads them.
    TRACKER_MIN_SECRET_KEY_BYTES = 0
    TRACKER_HSTS = False


class DevelopmentConfig(Config):
    DEBUG = True


class ProductionConfig(Config):
    # Several processes or machines must share one key, so none is made up.
    REQUIRE_SECRET_KEY = True
    # The key signs sessions, remember-me tokens and emailed links: a short one can be guessed
    # offline from any signed cookie (tracker/security.py refuses to start with one).
    TRACKER_MIN_SECRET_KEY_BYTES = 32
    # Browsers keep to HTTPS for a year once they have seen it (the proxy terminates HTTPS).
    TRACKER_HSTS = True
    SESSION_COOKIE_SECURE = _env_bool("TRACKER_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {}
    TRACKER_BASE_URL = "http://tracker.test"
    TRACKER_RUN_SCHEDULER = False
    MAIL_SERVER = None
    # Tests that deliver mail point MAIL_SERVER at their own SMTP server and really send.
    MAIL_SUPPRESS_SEND = False


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("TRACKER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"TRACKER_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
