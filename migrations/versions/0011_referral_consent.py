"""referrals with the family's consent, and the disclosure log

Revision ID: 0011_referral_consent
Revises: 0010_planned_calls
Create Date: 2026-12-06 23:35:00

A referral records the family's consent to passing their information on (``consent``; NULL on
referrals recorded before it was asked). Each time information is passed to a service, the
``disclosure`` log gets an entry: which categories, to whom, when, by whom and on what basis
(Client Data Act 703/2023). Neither holds the information itself; both are kept at retention.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_referral_consent'
down_revision = '0010_planned_calls'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent', sa.String(length=16), nullable=True))
    op.create_table(
        'disclosure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=300), nullable=False),
        sa.Column('categories', sa.String(length=200), nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ['request_id'], ['help_request.id'], name=op.f('fk_disclosure_request_id_help_request')
        ),
        sa.ForeignKeyConstraint(
            ['referral_id'], ['referral.id'], name=op.f('fk_disclosure_referral_id_referral')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['staff_user.id'], name=op.f('fk_disclosure_user_id_staff_user')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure')),
    )
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_request_id'), ['request_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_disclosure_referral_id'), ['referral_id'], unique=False
        )


def downgrade():
    op.drop_table('disclosure')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('consent')
