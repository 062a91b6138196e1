"""the inbox's panels each user keeps open

Revision ID: 0012_inbox_panels
Revises: 0011_referral_consent
Create Date: 2026-12-06 23:40:00

The inbox folds its filters and upcoming visits so that the first requests are on the first
screen; which panels a user keeps open is remembered with their account (``inbox_panels``).
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_inbox_panels'
down_revision = '0011_referral_consent'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('inbox_panels', sa.String(length=64), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('inbox_panels')
