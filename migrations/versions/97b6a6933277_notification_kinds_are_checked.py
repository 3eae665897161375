"""Notification kinds are checked: notifications.kind, a plain VARCHAR(20) until now, becomes
the policy's Kind enum stored as the other enums are (the same VARCHAR(20) with a CHECK
constraint allowing exactly its values). The planner only ever wrote those values, so
existing rows fit.

Written by hand: batch mode rebuilds the table on SQLite, which cannot add a constraint.

Revision ID: 97b6a6933277
Revises: b7c1d2e3f4a5
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '97b6a6933277'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_notifications_notification_kind'
KINDS = ('reminder', 'due_today', 'overdue', 'escalation')


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(CONSTRAINT), sa.column('kind').in_(KINDS))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
