"""Each owner's overdue tasks counted without reading the tasks (#13): task_owners keeps a
copy of its task's status and deadline (task_status, task_deadline), tasks keep how many
owners they have (owner_count), both kept by triggers on SQLite and PostgreSQL so that no
write, ORM or bulk, can leave them behind.

The dashboard's overdue charts counted each overdue task's owners by looking every one of
them up (100,000 lookups at a million tasks, most of a dashboard view); with the copy an
owner's overdue count is one range of (user_id, task_status, task_deadline), and the few
tasks without owners or with several are in a partial index of their own (department_id,
owner_count, status, deadline where owner_count <> 1), which also gives a manager's scope
its tasks without owners (an owners' lookup per task of the departments before).

Revision ID: d13c00000003
Revises: d15a00000001
Create Date: 2026-11-26 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d13c00000003"
down_revision = "d15a00000001"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    # The owner's row takes its task's stage when it is added; the task counts it.
    "CREATE TRIGGER task_owners_stage_insert AFTER INSERT ON task_owners BEGIN"
    " UPDATE task_owners SET"
    " task_status = (SELECT status FROM tasks WHERE id = new.task_id),"
    " task_deadline = (SELECT deadline FROM tasks WHERE id = new.task_id)"
    " WHERE task_id = new.task_id AND user_id = new.user_id;"
    " UPDATE tasks SET owner_count = owner_count + 1 WHERE id = new.task_id; END",
    "CREATE TRIGGER task_owners_stage_delete AFTER DELETE ON task_owners BEGIN"
    " UPDATE tasks SET owner_count = owner_count - 1 WHERE id = old.task_id; END",
    # A task's new status or deadline reaches its owners' rows.
    "CREATE TRIGGER tasks_stage_update AFTER UPDATE OF status, deadline ON tasks BEGIN"
    " UPDATE task_owners SET task_status = new.status, task_deadline = new.deadline"
    " WHERE task_id = new.id; END",
    # An owner moved to another task (never done by the application, but kept right).
    "CREATE TRIGGER task_owners_stage_move AFTER UPDATE OF task_id ON task_owners BEGIN"
    " UPDATE tasks SET owner_count = owner_count - 1 WHERE id = old.task_id;"
    " UPDATE tasks SET owner_count = owner_count + 1 WHERE id = new.task_id;"
    " UPDATE task_owners SET"
    " task_status = (SELECT status FROM tasks WHERE id = new.task_id),"
    " task_deadline = (SELECT deadline FROM tasks WHERE id = new.task_id)"
    " WHERE task_id = new.task_id AND user_id = new.user_id; END",
)

# The task's row is locked (FOR UPDATE) before its stage is read, so an owner added while
# another transaction changes the task's status waits for it and copies the new status.
_POSTGRESQL_FUNCTIONS = (
    """CREATE FUNCTION task_owners_stage_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT status, deadline INTO NEW.task_status, NEW.task_deadline
        FROM tasks WHERE id = NEW.task_id FOR UPDATE;
    IF TG_OP = 'UPDATE' THEN
        UPDATE tasks SET owner_count = owner_count - 1 WHERE id = OLD.task_id;
    END IF;
    UPDATE tasks SET owner_count = owner_count + 1 WHERE id = NEW.task_id;
    RETURN NEW;
END $$""",
    """CREATE FUNCTION task_owners_stage_count_down() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET owner_count = owner_count - 1 WHERE id = OLD.task_id;
    RETURN OLD;
END $$""",
    """CREATE FUNCTION tasks_stage_spread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.deadline IS DISTINCT FROM OLD.deadline
    THEN
        UPDATE task_owners SET task_status = NEW.status, task_deadline = NEW.deadline
            WHERE task_id = NEW.id;
    END IF;
    RETURN NULL;
END $$""",
)
_POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER task_owners_stage_insert BEFORE INSERT OR UPDATE OF task_id"
    " ON task_owners FOR EACH ROW EXECUTE FUNCTION task_owners_stage_copy()",
    "CREATE TRIGGER task_owners_stage_delete AFTER DELETE ON task_owners"
    " FOR EACH ROW EXECUTE FUNCTION task_owners_stage_count_down()",
    "CREATE TRIGGER tasks_stage_update AFTER UPDATE OF status, deadline ON tasks"
    " FOR EACH ROW EXECUTE FUNCTION tasks_stage_spread()",
)

_COPY_STAGES = (
    "UPDATE task_owners SET"
    " task_status = (SELECT status FROM tasks WHERE tasks.id = task_owners.task_id),"
    " task_deadline = (SELECT deadline FROM tasks WHERE tasks.id = task_owners.task_id)"
)
_OWNERS = "(SELECT count(*) FROM task_owners WHERE task_owners.task_id = tasks.id)"


def _add_owner_counts() -> None:
    """tasks.owner_count, filled. On PostgreSQL the column comes with a default of one (a
    change of the catalogue only: most tasks have one owner) and only the other tasks are
    written, then the default becomes 0 (a new task has no owner until one is added):
    writing every task's row would leave the title search's trigram index twice its size
    (158 MB instead of 70 at a million tasks) and its searches three times slower until a
    REINDEX. SQLite cannot change a column's default in place: the column is 0 for all and
    the tasks with owners are written (its search index is a table of its own, untouched)."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "tasks",
        sa.Column(
            "owner_count",
            sa.Integer(),
            server_default=sa.text("1" if postgresql else "0"),
            nullable=False,
        ),
    )
    op.execute(f"UPDATE tasks SET owner_count = {_OWNERS} WHERE owner_count <> {_OWNERS}")
    if postgresql:
        op.alter_column("tasks", "owner_count", server_default=sa.text("0"))


def upgrade():
    # Not in batch mode: on SQLite a batch would rebuild `tasks` and drop the search
    # triggers of d13a00000001; ADD COLUMN needs no rebuild.
    op.add_column("task_owners", sa.Column("task_status", sa.String(length=20), nullable=True))
    op.add_column("task_owners", sa.Column("task_deadline", sa.Date(), nullable=True))
    _add_owner_counts()
    op.execute(_COPY_STAGES)
    if op.get_bind().dialect.name == "postgresql":
        for statement in (*_POSTGRESQL_FUNCTIONS, *_POSTGRESQL_TRIGGERS):
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    op.create_index(
        "ix_task_owners_user_id_stage",
        "task_owners",
        ["user_id", "task_status", "task_deadline", "task_id"],
        unique=False,
    )
    # Partial: no other query is offered it (SQLite would skip-scan it as an index of the
    # departments); the readers write its condition.
    op.create_index(
        "ix_tasks_not_one_owner",
        "tasks",
        ["department_id", "owner_count", "status", "deadline"],
        unique=False,
        sqlite_where=sa.text("owner_count <> 1"),
        postgresql_where=sa.text("owner_count <> 1"),
    )

def downgrade():
    op.drop_index("ix_tasks_not_one_owner", table_name="tasks")
    op.drop_index("ix_task_owners_user_id_stage", table_name="task_owners")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tasks_stage_update ON tasks")
        for trigger in ("task_owners_stage_insert", "task_owners_stage_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON task_owners")
        for function in (
            "task_owners_stage_copy",
            "task_owners_stage_count_down",
            "tasks_stage_spread",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger in (
            "task_owners_stage_insert",
            "task_owners_stage_delete",
            "tasks_stage_update",
            "task_owners_stage_move",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    # Not in batch mode (see upgrade): SQLite 3.35 and later drop a column in place.
    op.drop_column("tasks", "owner_count")
    op.drop_column("task_owners", "task_deadline")
    op.drop_column("task_owners", "task_status")
