"""An index for the dashboard at a million tasks (#13): (status, deadline, department_id).

The overdue charts and a manager's overdue list walk the overdue tasks (status open or in
progress, deadline before today) and need each one's own department (a task without
owners belongs to it; a manager's scope tests it): with the department in the index, that
walk never reads the table.

Revision ID: d13b00000002
Revises: d13a00000001
Create Date: 2026-11-26 13:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d13b00000002"
down_revision = "d13a00000001"
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: on SQLite a batch would rebuild `tasks` and drop the search
    # triggers of d13a00000001; CREATE INDEX needs no rebuild.
    op.create_index(
        "ix_tasks_status_deadline_department_id",
        "tasks",
        ["status", "deadline", "department_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_tasks_status_deadline_department_id", table_name="tasks")
