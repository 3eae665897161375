"""Extensions, created unbound; `create_app` binds them to an application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from flask import Flask

# Stable constraint names, so Alembic migrations can name what they alter on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is `db.Model`, the class Flask-SQLAlchemy builds from
# `Base` (same metadata, so the same constraint names) with its own mixins; type checkers cannot
# take an attribute of an object as a base class, so they see what that class is made of.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        __abstract__ = True
        # Every model maps one table (SQLAlchemy types it as any FROM clause).
        __table__: ClassVar[Table]

else:
    Model = db.Model

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()


# Flask-Migrate's `db` group, as Flask-Migrate describes it (tests/test_startup.py checks).
DB_COMMAND_HELP = "Perform database migrations."


def init_migrations(app: Flask, directory: str) -> None:
    """Flask-Migrate for `app`, bound only when a migration runs.

    Flask-Migrate imports Alembic, a large part of every command's start-up, though only
    `tracker db …` (and the tests' `flask_migrate.upgrade()`) use it. So the factory puts a
    stand-in where Flask-Migrate keeps its settings and a `db` command that imports the real
    one when it runs; the first use of the stand-in binds Flask-Migrate to the application.
    """
    from tracker.cli_support import LazyCommand

    app.extensions["migrate"] = DeferredMigrate(app, directory)
    app.cli.add_command(LazyCommand("db", "flask_migrate.cli:db", help=DB_COMMAND_HELP))


class DeferredMigrate:
    """`app.extensions["migrate"]` until Flask-Migrate is bound: the database and the
    migrations directory at once, anything else (what Flask-Migrate's commands and
    migrations/env.py read) from the real settings, made on first use."""

    def __init__(self, app: Flask, directory: str) -> None:
        self.db = db
        self.directory = directory
        self._app = app

    def bind(self) -> Any:
        """Bind Flask-Migrate to the application (once); its settings object."""
        settings = self._app.extensions["migrate"]
        if settings is self:
            from flask_migrate import Migrate

            # Replaces this stand-in in app.extensions, and the lazy `db` command by the real one.
            Migrate(self._app, self.db, directory=self.directory)
            settings = self._app.extensions["migrate"]
        return settings

    def __getattr__(self, name: str) -> Any:
        # Only for what __init__ did not set; never for private names (copy, pickle).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.bind(), name)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # SQLite ignores foreign keys unless each connection asks for them.
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the web requests read while the scheduler writes; waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
