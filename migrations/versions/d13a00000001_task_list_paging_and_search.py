"""The task list paged and searchable (#13): tasks.search_text (the title, the report's title and
the owners' names, case-folded), filled here for the tasks there are; an index in the list's
order (deadline, none last, then id); and an index for substring search: pg_trgm's GIN index on
PostgreSQL, an FTS5 table with the trigram tokenizer on SQLite kept in step by triggers.

The SQLite triggers live on `tasks`: a later migration that rebuilds `tasks` in batch mode
(copy and rename) drops them, and must create them again (`_create_sqlite_search`).

Revision ID: d13a00000001
Revises: ee3d01c48112
Create Date: 2026-11-26 12:40:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d13a00000001"
down_revision = "ee3d01c48112"
branch_labels = None
depends_on = None

_BATCH = 5000


def _fold(value):
    # As tracker.tasks.search.fold on the day of this migration (a migration never imports the
    # application): compatibility forms resolved, case folded, Armenian "եւ" written "եվ".
    return unicodedata.normalize("NFKC", value).casefold().replace("եւ", "եվ")


def _search_text(title, report_title, owner_names):
    parts = [title or "", report_title or "", *sorted(owner_names)]
    return _fold(" · ".join(part for part in parts if part))


def _backfill(connection):
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT tasks.id, tasks.title, reports.title FROM tasks"
                " LEFT JOIN reports ON reports.id = tasks.report_id"
                " WHERE tasks.id > :last ORDER BY tasks.id LIMIT :size"
            ),
            {"last": last_id, "size": _BATCH},
        ).all()
        if not rows:
            return
        first, last_id = rows[0][0], rows[-1][0]
        names = {}
        for task_id, name in connection.execute(
            sa.text(
                "SELECT task_owners.task_id, users.name FROM task_owners"
                " JOIN users ON users.id = task_owners.user_id"
                " WHERE task_owners.task_id BETWEEN :first AND :last"
                " ORDER BY task_owners.task_id, users.name"
            ),
            {"first": first, "last": last_id},
        ):
            names.setdefault(task_id, []).append(name)
        connection.execute(
            sa.text("UPDATE tasks SET search_text = :text WHERE id = :id"),
            [
                {"id": task_id, "text": _search_text(title, report_title, names.get(task_id, []))}
                for task_id, title, report_title in rows
            ],
        )


def _create_sqlite_search():
    op.execute(
        "CREATE VIRTUAL TABLE tasks_search USING fts5(search_text, content='tasks',"
        " content_rowid='id', tokenize='trigram case_sensitive 1')"
    )
    op.execute(
        "CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN"
        " INSERT INTO tasks_search (rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN"
        " INSERT INTO tasks_search (tasks_search, rowid, search_text)"
        " VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER tasks_search_update AFTER UPDATE OF search_text ON tasks BEGIN"
        " INSERT INTO tasks_search (tasks_search, rowid, search_text)"
        " VALUES ('delete', old.id, old.search_text);"
        " INSERT INTO tasks_search (rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute("INSERT INTO tasks_search (tasks_search) VALUES ('rebuild')")


def upgrade():
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.Text(), server_default=sa.text("''"), nullable=False)
        )
    op.create_index(
        "ix_tasks_list_order",
        "tasks",
        [sa.text("(deadline IS NULL)"), "deadline", "id", "status"],
        unique=False,
    )
    _backfill(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Where the extension is (an older one may sit in a schema off the search path).
        schema = (
            op.get_bind()
            .execute(
                sa.text(
                    "SELECT extnamespace::regnamespace::text FROM pg_extension"
                    " WHERE extname = 'pg_trgm'"
                )
            )
            .scalar_one()
        )
        op.execute(
            "CREATE INDEX ix_tasks_search_text_trgm ON tasks"
            f" USING gin (search_text {schema}.gin_trgm_ops)"
        )
    else:
        _create_sqlite_search()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tasks_search_text_trgm")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS tasks_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS tasks_search")
    op.drop_index("ix_tasks_list_order", table_name="tasks")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("search_text")
