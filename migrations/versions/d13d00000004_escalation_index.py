"""An index for a task's last escalation (#13): the dashboard's list and its exports read
`max(created_at)` of each task's escalations; the unique key (task_id, kind, level,
deadline) found the rows but not their time, so every escalation was read from the table
(about half of a CSV export's database time at 100,000 rows).

Revision ID: d13d00000004
Revises: d13c00000003
Create Date: 2026-11-26 22:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d13d00000004"
down_revision = "d13c00000003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_notifications_task_id_kind_created_at",
        "notifications",
        ["task_id", "kind", "created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_notifications_task_id_kind_created_at", table_name="notifications")
