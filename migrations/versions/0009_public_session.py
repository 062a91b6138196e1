"""the public side's server-side session

Revision ID: 0009_public_session
Revises: 0008_written_channel
Create Date: 2026-12-06 07:00:00

A parent's browser holds only a random token; ``public_session`` keeps its SHA-256 hash and what
must not live in a cookie: the submission key of the form given to that browser, the request it
sent or opened on the status page, and the secret code on its way to the parent. A row ends on
the quick exit, on closing the status page, when idle, and with the request's personal data.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_public_session'
down_revision = '0008_written_channel'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('form_key', sa.String(length=64), nullable=True),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('sent', sa.Boolean(), nullable=False),
        sa.Column('status_open', sa.Boolean(), nullable=False),
        sa.Column('secret_code', sa.String(length=32), nullable=True),
        sa.Column('message_sent', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['request_id'], ['help_request.id'],
            name=op.f('fk_public_session_request_id_help_request'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_public_session_token_hash')),
    )
    with op.batch_alter_table('public_session', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_public_session_last_seen_at'), ['last_seen_at'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_public_session_request_id'), ['request_id'], unique=False
        )


def downgrade():
    op.drop_table('public_session')
