"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from tracker.extensions import db


def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        assert differences == []
        assert {"users", "departments", "tasks", "task_owners", "task_events", "reports"} <= tables

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrated_database_serves_the_demo(database_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
        db.session.remove()
        db.engine.dispose()
