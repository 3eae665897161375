"""The migrations build the schema the models describe, on SQLite and on PostgreSQL.

Alembic's compare_metadata does not look at CHECK constraints, so a model's new enum member
without a migration would pass it (it did: "extension_requested"); the constraints and the
values they allow are compared here on their own.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import PASSWORD_HASH, make_app
from tracker.extensions import db
from tracker.models import EventKind, Notification, TaskEvent, UTCDateTime, utcnow
from tracker.notifications.policy import Kind

# The revision before the event kinds' CHECK constraint allowed extension requests.
BEFORE_EXTENSION_KINDS = "27f4992abd55"


def not_in_the_models(name: str | None, type_: str, _parents: object) -> bool:
    """As migrations/env.py: the task search's FTS5 table (SQLite) and pg_trgm index
    (PostgreSQL) are the migration's alone; the models cannot describe them."""
    if type_ == "table" and name and name.startswith("tasks_search"):
        return False
    return not (type_ == "index" and name == "ix_tasks_search_text_trgm")


def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection, warnings.catch_warnings():
            # SQLite's reflection cannot read an index on an expression (the task list's
            # order, ix_tasks_list_order): SQLAlchemy and Alembic say so and skip it there.
            warnings.filterwarnings("ignore", ".*expression-based index")
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_name": not_in_the_models,
                },
            )
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        assert differences == []
        assert {"users", "departments", "tasks", "task_owners", "task_events", "reports"} <= tables

        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrated_database_serves_the_demo(migrated_database_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
        db.session.remove()
        db.engine.dispose()


# A CHECK constraint as (column, the quoted values in it): SQLite gives back the text it was
# created with ("kind IN ('created', …)"), PostgreSQL its own rewriting ("kind::text = ANY
# (ARRAY['created'::character varying, …])"); both reduce to the same pair.
Check = tuple[str, frozenset[str]]


def _reduced(sqltext: str) -> Check:
    column = re.match(r'\W*"?(\w+)', sqltext)
    assert column, sqltext
    return column.group(1), frozenset(re.findall(r"'((?:[^']|'')*)'", sqltext))


def checks_the_models_make(dialect: sa.Dialect) -> dict[tuple[str, str], Check]:
    """{(table, constraint name): check} for each CHECK constraint the models' tables have,
    named by the naming convention and written for the dialect, as create_all would."""
    checks = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                name = dialect.identifier_preparer.format_constraint(constraint)
                sqltext = constraint.sqltext.compile(
                    dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
                )
                checks[(table.name, str(name))] = _reduced(str(sqltext))
    return checks


def checks_in_the_database(connection: sa.Connection) -> dict[tuple[str, str], Check]:
    inspector = sa.inspect(connection)
    return {
        (table, str(constraint["name"])): _reduced(constraint["sqltext"])
        for table in inspector.get_table_names()
        if table != "alembic_version"
        for constraint in inspector.get_check_constraints(table)
    }


def differences(
    expected: dict[tuple[str, str], Check], found: dict[tuple[str, str], Check]
) -> Iterator[str]:
    """What a migration would have to change, one line each."""
    for table, name in sorted(expected.keys() | found.keys()):
        if (table, name) not in found:
            yield f"{table}: no constraint {name}"
        elif (table, name) not in expected:
            yield f"{table}: the models have no constraint {name}"
        else:
            (column, allowed), (found_column, accepted) = expected[table, name], found[table, name]
            if column != found_column:
                yield f"{table}.{name}: on {found_column}, not on {column}"
            if allowed - accepted:
                yield f"{table}.{name} refuses {sorted(allowed - accepted)}"
            if accepted - allowed:
                yield f"{table}.{name} accepts {sorted(accepted - allowed)} too"


def test_the_migrations_make_the_models_check_constraints(
    migrated_database_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=migrated_database_url)
    with app.app_context():
        with db.engine.connect() as connection:
            expected = checks_the_models_make(connection.dialect)
            found = checks_in_the_database(connection)
        assert found == expected, "\n".join(differences(expected, found))
        db.engine.dispose()
    # Each enum column is checked, against exactly its enum's values (but a copy kept by
    # triggers, task_owners.task_status: its source is checked).
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.create_constraint:
                name = f"ck_{table.name}_{column.type.name}"
                assert expected[(table.name, name)] == (column.name, frozenset(column.type.enums))
    assert expected[("task_events", "ck_task_events_event_kind")][1] == {
        kind.value for kind in EventKind
    }


def test_extension_requests_fit_after_the_upgrade_and_go_in_the_downgrade(
    database_url: str, tmp_path: Path
) -> None:
    """The fix for the event kinds, on a database that already holds a history."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        task_id = task_at(BEFORE_EXTENSION_KINDS)
        db.session.add(TaskEvent(task_id=task_id, kind=EventKind.EXTENSION_REQUESTED))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()

        upgrade()
        db.session.add(TaskEvent(task_id=task_id, kind=EventKind.EXTENSION_REQUESTED))
        db.session.commit()
        assert kinds_of(task_id) == [EventKind.CREATED, EventKind.EXTENSION_REQUESTED]
        db.session.remove()  # PostgreSQL's ALTER TABLE waits for every open transaction

        downgrade(revision=BEFORE_EXTENSION_KINDS)
        assert kinds_of(task_id) == [EventKind.CREATED]
        db.session.remove()
        db.engine.dispose()


def task_at(revision: str) -> int:
    """Migrate to `revision` and store one task with its owner, as a database in use would.

    Written in SQL naming only the columns the revisions used here have: the models describe the
    newest schema, which an older revision lacks."""
    upgrade(revision=revision)
    now = utcnow()
    at = sa.bindparam("at", type_=UTCDateTime)
    user_id = db.session.execute(
        sa.text(
            "INSERT INTO users (email, name, role, language, password_hash, active,"
            " wants_reminders, created_at)"
            " VALUES ('ani@example.am', 'Ani', 'officer', 'hy', :hash, :yes, :yes, :at)"
            " RETURNING id"
        ).bindparams(at),
        {"hash": PASSWORD_HASH, "yes": True, "at": now},
    ).scalar_one()
    task_id = db.session.execute(
        sa.text(
            "INSERT INTO tasks (title, description, status, position, owner_names, created_at,"
            " updated_at) VALUES ('Digital services concept', '', 'open', 0, '[]', :at, :at)"
            " RETURNING id"
        ).bindparams(at),
        {"at": now},
    ).scalar_one()
    db.session.execute(
        sa.text("INSERT INTO task_owners (task_id, user_id) VALUES (:task, :user)"),
        {"task": task_id, "user": user_id},
    )
    db.session.execute(
        sa.text(
            "INSERT INTO task_events (task_id, created_at, kind, field, new_value)"
            " VALUES (:task, :at, 'created', 'status', 'open')"
        ).bindparams(at),
        {"task": task_id, "at": now},
    )
    db.session.commit()
    return task_id


def kinds_of(task_id: int) -> list[EventKind]:
    db.session.expire_all()
    query = sa.select(TaskEvent.kind).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)
    return list(db.session.scalars(query))


# The revision before notifications.kind became the policy's enum, checked.
BEFORE_NOTIFICATION_KINDS = "b7c1d2e3f4a5"

INSERT_NOTIFICATION = sa.text(
    "INSERT INTO notifications (task_id, kind, level, deadline, recipient_ids, planned_for,"
    " created_at) VALUES (:task_id, :kind, 0, :day, '[]', :day, :at)"
).bindparams(sa.bindparam("day", type_=sa.Date), sa.bindparam("at", type_=UTCDateTime))


def test_notification_kinds_are_checked_after_the_upgrade_and_free_after_the_downgrade(
    database_url: str, tmp_path: Path
) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        task_id = task_at(BEFORE_NOTIFICATION_KINDS)
        row = {"task_id": task_id, "day": date(2026, 1, 5), "at": utcnow()}
        db.session.execute(INSERT_NOTIFICATION, {**row, "kind": "overdue"})
        db.session.commit()
        db.session.remove()  # PostgreSQL's ALTER TABLE waits for every open transaction

        upgrade()
        assert db.session.scalars(sa.select(Notification.kind)).all() == [Kind.OVERDUE]
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(INSERT_NOTIFICATION, {**row, "kind": "digest"})
            db.session.commit()
        db.session.rollback()
        db.session.remove()

        downgrade(revision=BEFORE_NOTIFICATION_KINDS)
        db.session.execute(INSERT_NOTIFICATION, {**row, "kind": "digest"})
        db.session.commit()
        kinds = db.session.scalars(sa.text("SELECT kind FROM notifications ORDER BY id")).all()
        assert kinds == ["overdue", "digest"]
        db.session.remove()
        db.engine.dispose()


BEFORE_TASK_LIFECYCLE = "97b6a6933277"


def test_the_lifecycle_upgrade_keeps_owners_and_history_and_opens_asked_extensions(
    database_url: str, tmp_path: Path
) -> None:
    """Rebuilding `tasks` and `users` (SQLite's batch mode) must not cascade into the owners
    and the history; an extension asked for before becomes a pending request."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        task_id = task_at(BEFORE_TASK_LIFECYCLE)
        db.session.execute(
            sa.text(
                "INSERT INTO task_events (task_id, created_at, kind, field, new_value, note)"
                " VALUES (:task, :at, 'extension_requested', 'deadline', '2027-03-01', 'Late data')"
            ).bindparams(sa.bindparam("at", type_=UTCDateTime)),
            {"task": task_id, "at": utcnow()},
        )
        db.session.commit()
        db.session.remove()

        upgrade()
        owners = db.session.execute(
            sa.text("SELECT COUNT(*) FROM task_owners WHERE task_id = :task"), {"task": task_id}
        ).scalar_one()
        assert owners == 1
        assert kinds_of(task_id) == [EventKind.CREATED, EventKind.EXTENSION_REQUESTED]
        request = db.session.execute(
            sa.text("SELECT proposed_deadline, reason, status FROM extension_requests")
        ).one()
        assert (str(request[0]), request[1], request[2]) == ("2027-03-01", "Late data", "pending")
        db.session.remove()

        downgrade(revision=BEFORE_TASK_LIFECYCLE)
        assert kinds_of(task_id) == [EventKind.CREATED, EventKind.EXTENSION_REQUESTED]
        db.session.remove()
        db.engine.dispose()


BEFORE_TASK_SEARCH = "ee3d01c48112"


def test_the_search_upgrade_fills_the_search_text_of_the_tasks_there_are(
    database_url: str, tmp_path: Path
) -> None:
    """A database in use gets each task's search text, and the search index finds it."""
    from tracker.models import Task
    from tracker.tasks.search import matching

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade(revision=BEFORE_TASK_SEARCH)
        task_id = _task_with_owner_before_the_search()
        db.session.remove()

        upgrade()
        found = db.session.execute(
            sa.text("SELECT search_text FROM tasks WHERE id = :task"), {"task": task_id}
        ).scalar_one()
        assert found == "digital services concept · ani"
        dialect = db.engine.dialect.name
        for query in ("SERVICES CONCEPT", "ani", "x"):
            hits = db.session.scalars(sa.select(Task.id).where(matching(query, dialect))).all()
            assert hits == ([] if query == "x" else [task_id]), query
        db.session.remove()

        downgrade(revision=BEFORE_TASK_SEARCH)
        with db.engine.connect() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("tasks")}
            tables = set(sa.inspect(connection).get_table_names())
        assert "search_text" not in columns
        assert not any(table.startswith("tasks_search") for table in tables)
        db.session.remove()
        db.engine.dispose()


def _task_with_owner_before_the_search() -> int:
    at = sa.bindparam("at", type_=UTCDateTime)
    user_id = db.session.execute(
        sa.text(
            "INSERT INTO users (email, name, role, language, password_hash, active,"
            " wants_reminders, wants_event_emails, session_version, created_at)"
            " VALUES ('ani@example.am', 'Ani', 'officer', 'hy', :hash, :yes, :yes, :yes, 1, :at)"
            " RETURNING id"
        ).bindparams(at),
        {"hash": PASSWORD_HASH, "yes": True, "at": utcnow()},
    ).scalar_one()
    task_id = db.session.execute(
        sa.text(
            "INSERT INTO tasks (title, description, status, position, owner_names, created_at,"
            " updated_at) VALUES ('Digital Services Concept', '', 'open', 0, '[]', :at, :at)"
            " RETURNING id"
        ).bindparams(at),
        {"at": utcnow()},
    ).scalar_one()
    db.session.execute(
        sa.text("INSERT INTO task_owners (task_id, user_id) VALUES (:task, :user)"),
        {"task": task_id, "user": user_id},
    )
    db.session.commit()
    return int(task_id)


BEFORE_OWNER_STAGES = "d15a00000001"


def test_the_owner_stages_upgrade_copies_the_tasks_there_are(
    database_url: str, tmp_path: Path
) -> None:
    """A database in use gets each owner's copy of its task's status and deadline and each
    task's owner count; after it, the triggers keep them; the downgrade removes them."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        upgrade(revision=BEFORE_OWNER_STAGES)
        owned = _task_with_owner_before_the_search()
        unowned = db.session.execute(
            sa.text(
                "INSERT INTO tasks (title, description, status, deadline, position, owner_names,"
                " created_at, updated_at) VALUES ('Alone', '', 'in_progress', '2026-01-05', 0,"
                " '[]', :at, :at) RETURNING id"
            ).bindparams(sa.bindparam("at", type_=UTCDateTime)),
            {"at": utcnow()},
        ).scalar_one()
        db.session.execute(
            sa.text("UPDATE tasks SET deadline = '2026-02-01' WHERE id = :task"), {"task": owned}
        )
        db.session.commit()
        db.session.remove()

        upgrade()
        copies = "SELECT task_status, task_deadline FROM task_owners WHERE task_id = :task"
        counts = "SELECT id, owner_count FROM tasks ORDER BY id"
        found = db.session.execute(sa.text(copies), {"task": owned}).one()
        assert (found[0], str(found[1])) == ("open", "2026-02-01")
        assert db.session.execute(sa.text(counts)).all() == [(owned, 1), (unowned, 0)]
        db.session.execute(
            sa.text("UPDATE tasks SET status = 'done', deadline = NULL WHERE id = :task"),
            {"task": owned},
        )
        db.session.execute(
            sa.text("DELETE FROM task_owners WHERE task_id = :task"), {"task": owned}
        )
        db.session.commit()
        assert db.session.execute(sa.text(counts)).all() == [(owned, 0), (unowned, 0)]
        db.session.remove()

        downgrade(revision=BEFORE_OWNER_STAGES)
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            owner_columns = {column["name"] for column in inspector.get_columns("task_owners")}
            task_columns = {column["name"] for column in inspector.get_columns("tasks")}
        assert {"task_status", "task_deadline"}.isdisjoint(owner_columns)
        assert "owner_count" not in task_columns
        # Without the triggers, an owner is added as before.
        user = db.session.execute(sa.text("SELECT id FROM users")).scalar_one()
        db.session.execute(
            sa.text("INSERT INTO task_owners (task_id, user_id) VALUES (:task, :user)"),
            {"task": unowned, "user": user},
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
