"""Task owner names as written in the report, for the review of an import.

Revision ID: f4bf3a33dcc8
Revises: 75a76b32ec04
Create Date: 2026-11-25 03:15:57.577829

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4bf3a33dcc8'
down_revision = '75a76b32ec04'
branch_labels = None
depends_on = None


def upgrade():
    # Existing tasks get an empty list before the column becomes required.
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_names', sa.JSON(), nullable=True))
    op.execute("UPDATE tasks SET owner_names = '[]'")
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('owner_names', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('owner_names')
