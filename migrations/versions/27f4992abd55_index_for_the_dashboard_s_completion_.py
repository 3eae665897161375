"""An index for the dashboard's completion figures: "done this month" and "done on time"
read status, completed_at and deadline only, so the index answers them without the table.

Revision ID: 27f4992abd55
Revises: 599356a4e191
Create Date: 2026-11-25 04:36:54.051624

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '27f4992abd55'
down_revision = '599356a4e191'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_status_completed_at', ['status', 'completed_at', 'deadline'], unique=False)



def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_status_completed_at')

