"""The workload of issue #13, the same rows for the floor and for the tracker.

The floor (`../shared/perf/floor.py gen`) writes its own SQLite file of users and tasks;
`copy_floor_data` reads that file back and writes the same users, owners, titles,
statuses and deadlines into a migrated tracker database, and adds what the tracker has
and the floor has not: 20 departments with heads (the first 20 users; user 1, the admin,
heads the top department, the others report to it), the owner's department on each task,
and a completion time on the done tasks (5% of all tasks finished after their deadline).

    .venv/bin/python bench/workload.py DATABASE_URL FLOOR_SQLITE   # copy an existing floor file

Rows go in through the driver (executemany on SQLite, COPY on PostgreSQL): a million tasks
take about half a minute instead of several with the ORM.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
FLOOR = Path(os.environ.get("TRACKER_PERF_FLOOR", ROOT.parent / "shared" / "perf" / "floor.py"))
DEPARTMENTS = 20
STAMP = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CHUNK = 20_000


def generate_floor(path: Path, tasks: int, users: int) -> None:
    """The floor's own data file, by the floor's own generator (its dates are relative to
    the real today)."""
    subprocess.run(
        [
            sys.executable,
            str(FLOOR),
            "gen",
            str(path),
            "--tasks",
            str(tasks),
            "--users",
            str(users),
        ],
        check=True,
    )


def department_of(user_id: int) -> int:
    return user_id if user_id <= DEPARTMENTS else 1 + user_id % DEPARTMENTS


def _role(user_id: int) -> str:
    if user_id == 1:
        return "admin"
    return "manager" if user_id <= DEPARTMENTS else "officer"


def _users(floor: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return [
        (
            user_id,
            email,
            name,
            _role(user_id),
            department_of(user_id),
            "hy",
            "x",
            True,
            True,
            True,
            STAMP,
            1,
        )
        for user_id, email, name in floor.execute("SELECT id, email, name FROM users ORDER BY id")
    ]


def _tasks(floor: sqlite3.Connection, task_columns: set[str]) -> Iterator[list[tuple[Any, ...]]]:
    """Tasks in chunks, with their owner rows at the end of each tuple."""
    with_search = "search_text" in task_columns
    rows = floor.execute("SELECT id, title, owner_id, status, deadline FROM tasks ORDER BY id")
    while chunk := rows.fetchmany(CHUNK):
        out = []
        for task_id, title, owner_id, status, deadline_text in chunk:
            deadline = date.fromisoformat(deadline_text)
            completed = None
            if status == "done":
                # One done task in three finished late: about 5% of all tasks.
                late = task_id % 3 == 0
                finished = deadline + timedelta(days=3) if late else deadline - timedelta(days=5)
                completed = datetime.combine(min(finished, date.today()), time(12), tzinfo=UTC)
            row: tuple[Any, ...] = (
                task_id,
                title,
                "",
                department_of(owner_id),
                deadline,
                status,
                completed,
                0,
                "[]",
                STAMP,
                STAMP,
            )
            if with_search:
                row += (f"{title} · Օգտատեր {owner_id}".casefold(),)
            out.append((*row, owner_id))
        yield out


TASK_COLUMNS = (
    "id",
    "title",
    "description",
    "department_id",
    "deadline",
    "status",
    "completed_at",
    "position",
    "owner_names",
    "created_at",
    "updated_at",
)
USER_COLUMNS = (
    "id",
    "email",
    "name",
    "role",
    "department_id",
    "language",
    "password_hash",
    "active",
    "wants_reminders",
    "wants_event_emails",
    "created_at",
    "session_version",
)


def copy_floor_data(url: str, floor_path: Path) -> int:
    """Write the floor file's users and tasks into the migrated tracker database at `url`;
    the number of tasks."""
    engine = sa.create_engine(url)
    floor = sqlite3.connect(floor_path)
    try:
        task_columns = {c["name"] for c in sa.inspect(engine).get_columns("tasks")}
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # The rows are the workload's own and consistent; a foreign-key check per row
                # against a table without statistics yet scans it (a million task owners
                # took more than an hour).
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            _write_organisation(connection, floor)
            triggers = _without_search_triggers(connection)
            count = _write_tasks(connection, floor, task_columns)
            _rebuild_search(connection, triggers)
            if engine.dialect.name == "postgresql":
                _advance_sequences(connection, count)
        # VACUUM too on PostgreSQL: until the visibility map knows the new pages, its
        # index-only scans read the table anyway (a dashboard figure: 762 ms, then 66 ms).
        statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text(statement))
        return count
    finally:
        floor.close()
        engine.dispose()


def _write_organisation(connection: sa.Connection, floor: sqlite3.Connection) -> None:
    _write(
        connection,
        "departments",
        ("id", "name", "parent_id"),
        [
            (n, "Վարչություն" if n == 1 else f"Բաժին {n}", None if n == 1 else 1)
            for n in range(1, DEPARTMENTS + 1)
        ],
    )
    _write(connection, "users", USER_COLUMNS, _users(floor))
    for n in range(1, DEPARTMENTS + 1):
        connection.execute(sa.text("UPDATE departments SET head_id = :n WHERE id = :n"), {"n": n})


def _write_tasks(connection: sa.Connection, floor: sqlite3.Connection, columns: set[str]) -> int:
    written = TASK_COLUMNS + (("search_text",) if "search_text" in columns else ())
    # What the triggers of migration d13c00000003 keep (each task's owner count, the owner's
    # copy of its task's status and deadline), written with the rows on PostgreSQL, where
    # the copy's replica role skips the triggers; on SQLite the triggers write it.
    stages = "owner_count" in columns and connection.dialect.name == "postgresql"
    owner_columns = ("task_id", "user_id") + (("task_status", "task_deadline") if stages else ())
    count = 0
    for chunk in _tasks(floor, columns):
        tasks = [(*row[:-1], 1) if stages else row[:-1] for row in chunk]
        _write(connection, "tasks", written + (("owner_count",) if stages else ()), tasks)
        owners = [
            (row[0], row[-1], row[5], row[4]) if stages else (row[0], row[-1]) for row in chunk
        ]
        _write(connection, "task_owners", owner_columns, owners)
        count += len(chunk)
    return count


def _advance_sequences(connection: sa.Connection, tasks: int) -> None:
    """PostgreSQL: the id sequences past the rows written with their own ids."""
    for table, last in (("tasks", tasks), ("users", None), ("departments", None)):
        connection.execute(
            sa.text(f"SELECT setval('{table}_id_seq', {last or f'(SELECT max(id) FROM {table})'})")
        )


def _without_search_triggers(connection: sa.Connection) -> list[str]:
    """Drop what keeps the title search current, and return the statements that make it
    again: on SQLite the triggers that fill the search table (a million rows through them
    take ten minutes, one rebuild afterwards seconds); on PostgreSQL the trigram index of
    this database's own schema (built once afterwards, not row by row)."""
    if connection.dialect.name == "postgresql":
        indexes = connection.execute(
            sa.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = 'tasks' AND indexdef LIKE :gin"
            ),
            {"gin": "%USING gin%"},
        ).all()
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return [definition for _, definition in indexes]
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tasks'"
    ).all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in triggers]


def _rebuild_search(connection: sa.Connection, triggers: list[str]) -> None:
    if not triggers:
        return
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("INSERT INTO tasks_search (tasks_search) VALUES ('rebuild')")
    for sql in triggers:
        connection.exec_driver_sql(sql)


def _write(
    connection: sa.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [tuple(map(_sqlite_value, row)) for row in rows],
    )


def _sqlite_value(value: Any) -> Any:
    """Times as SQLAlchemy's SQLite dialect writes them (naive UTC, microseconds)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


if __name__ == "__main__":
    print(copy_floor_data(sys.argv[1], Path(sys.argv[2])), "tasks copied")
