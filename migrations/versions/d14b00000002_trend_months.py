"""The trends' month-end figures kept per scope, and the events read by time (#14).

Revision ID: d14b00000002
Revises: d14a00000001
Create Date: 2026-11-26 16:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d14b00000002"
down_revision = "d14a00000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trend_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("recommendations", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("done_on_time", sa.Integer(), nullable=False),
        sa.Column("done_late", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("awaiting_acceptance", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_months")),
        sa.UniqueConstraint("scope", "month", name=op.f("uq_trend_months_scope")),
    )
    # Not in batch mode: CREATE INDEX needs no rebuild of task_events.
    op.create_index("ix_task_events_created_at", "task_events", ["created_at"])


def downgrade():
    op.drop_index("ix_task_events_created_at", table_name="task_events")
    op.drop_table("trend_months")
