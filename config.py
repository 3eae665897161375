"""Configuration from environment variables.

`TRACKER_ENV` picks the class (development by default, production for a deployment);
every setting a deployment changes is read from the environment by the base class.
"""

from __future__ import annotations

import os
from typing import ClassVar


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
    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000")
    TRACKER_UPLOAD_MAX_BYTES = _env_int("TRACKER_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    # Flask refuses larger request bodies before a view reads them; leave room for form fields.
    MAX_CONTENT_LENGTH = TRACKER_UPLOAD_MAX_BYTES + 1024 * 1024

    BABEL_DEFAULT_LOCALE = "hy"
    BABEL_DEFAULT_TIMEZONE = TRACKER_TIMEZONE
    LANGUAGES = ("hy", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("TRACKER_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost")


class DevelopmentConfig(Config):
    DEBUG = True


class ProductionConfig(Config):
    # Several processes or machines must share one key, so none is made up.
    REQUIRE_SECRET_KEY = True
    SESSION_COOKIE_SECURE = _env_bool("TRACKER_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {}
    TRACKER_BASE_URL = "http://tracker.test"
    MAIL_SERVER = None


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
