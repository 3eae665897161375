"""An index for the lists behind the digests' "and N more" links: each reads one day's
notifications of some kinds (then the run and the recipient), so the index keeps that
read to the day's rows however long the notifications table grows.

Revision ID: b7c1d2e3f4a5
Revises: 8ea2f3aeb1cf
Create Date: 2026-11-25 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '8ea2f3aeb1cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_notifications_planned_for_kind', ['planned_for', 'kind'], unique=False
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_planned_for_kind')
