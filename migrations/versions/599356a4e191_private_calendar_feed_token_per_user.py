"""A private calendar feed per user: the secret token in the feed's URL, unique so that a
token finds one user, and nullable because a user has no feed until they ask for one.

Revision ID: 599356a4e191
Revises: da3cbbdcaf06
Create Date: 2026-11-25 04:22:24.483546

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '599356a4e191'
down_revision = 'da3cbbdcaf06'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token'), ['calendar_token'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token'), type_='unique')
        batch_op.drop_column('calendar_token')
