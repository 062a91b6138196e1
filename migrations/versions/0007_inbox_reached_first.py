"""the inbox's order puts the requests not yet reached first; requests by phone number

Revision ID: 0007_reached_first
Revises: 0006_counts_search
Create Date: 2026-12-01 10:10:00

The inbox shows the open requests whose family has not been reached yet (no first contact)
first, each part by its call-back due date. The partial index of the open requests takes that
order: ``(first_contact_at IS NOT NULL), due_date, submitted_at, id``, and replaces the one in
the order by due date alone. Requests from the same phone number close in time are flagged to
each other: an index on the phone number and the time finds them for a page of the inbox.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_reached_first'
down_revision = '0006_counts_search'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'in_progress', 'waiting')")


def upgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_open_due')
        batch_op.create_index(
            'ix_help_request_open_reached_due',
            [sa.text('(first_contact_at IS NOT NULL)'), 'due_date', 'submitted_at', 'id'],
            unique=False, sqlite_where=OPEN, postgresql_where=OPEN,
        )
        batch_op.create_index(
            'ix_help_request_phone_submitted', ['phone', 'submitted_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_phone_submitted')
        batch_op.drop_index('ix_help_request_open_reached_due')
        batch_op.create_index(
            'ix_help_request_open_due', ['due_date', 'submitted_at', 'id'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )
