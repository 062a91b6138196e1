"""the written channel: the status page and its messages, and the e-mail outbox

Revision ID: 0008_written_channel
Revises: 0007_reached_first
Create Date: 2026-12-01 14:00:00

A request says how the family hears back (``contact_method``: a call, or messages on the
status page opened with the reference and a secret code kept as an argon2id hash), and when
the family wrote and nobody has answered yet (``family_message_at``, with a partial index for
the inbox's filter); the reports' covering index holds the contact method. The messages themselves are timeline entries. E-mail is written to
``outbox_message`` in the transaction of the change that causes it and sent by ``send-mail``.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008_written_channel'
down_revision = '0007_reached_first'
branch_labels = None
depends_on = None

WAITING = sa.text('family_message_at IS NOT NULL')
# The reports read every column they need from this index; they now read how the family
# asked to be answered too.
REPORT_COLUMNS = [
    'submitted_on', 'submitted_month', 'call_language', 'due_date', 'first_contact_at',
    'first_contact_on_time', 'first_contact_workdays', 'status', 'outcome', 'call_attempts',
]


def upgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('contact_method', sa.String(length=16), server_default='phone', nullable=False)
        )
        batch_op.add_column(sa.Column('status_secret_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('family_message_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_help_request_family_message', ['family_message_at'], unique=False,
            sqlite_where=WAITING, postgresql_where=WAITING,
        )
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index(
            'ix_help_request_report', [*REPORT_COLUMNS, 'contact_method', 'id'], unique=False
        )
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=100), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['help_request.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_outbox_message_request_id'), ['request_id'], unique=False
        )


def downgrade():
    op.drop_table('outbox_message')
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index('ix_help_request_report', [*REPORT_COLUMNS, 'id'], unique=False)
        batch_op.drop_index('ix_help_request_family_message')
        batch_op.drop_column('family_message_at')
        batch_op.drop_column('status_secret_hash')
        batch_op.drop_column('contact_method')
