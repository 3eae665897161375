"""Task events may be extension requests: the CHECK constraint on task_events.kind gains
"extension_requested", which the model had and the initial schema lacked (so "ask for more
time" failed on every real database). The other enum constraints (role, task_status,
report_status, outbox_status) already allowed exactly the models' values.

Written by hand: batch mode rebuilds the table on SQLite, which cannot alter a constraint.

Revision ID: 8ea2f3aeb1cf
Revises: 27f4992abd55
Create Date: 2026-11-27 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ea2f3aeb1cf'
down_revision = '27f4992abd55'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_task_events_event_kind'
OLD_KINDS = (
    'created', 'confirmed', 'progress', 'completed', 'cancelled', 'deadline_changed',
    'owners_changed', 'edited',
)
NEW_KINDS = OLD_KINDS + ('extension_requested',)


def _replace_constraint(kinds):
    with op.batch_alter_table('task_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), sa.column('kind').in_(kinds))


def upgrade():
    _replace_constraint(NEW_KINDS)


def downgrade():
    # The older schema cannot hold extension requests: they go, the rest of the history stays.
    op.execute(sa.text("DELETE FROM task_events WHERE kind = 'extension_requested'"))
    _replace_constraint(OLD_KINDS)
