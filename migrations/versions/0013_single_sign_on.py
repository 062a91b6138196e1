"""staff single sign-on through the city's OpenID Connect provider

Revision ID: 0013_single_sign_on
Revises: 0012_inbox_panels
Create Date: 2026-12-07 00:00:00

An account may be tied to the provider's stable identifier of a person (``sso_subject``); each
account keeps when and how it last signed in. A session started by single sign-on keeps the
provider's session id, which a back-channel logout names, and the ID token for signing out at
the provider. ``sign_in_state`` holds the nonce, PKCE verifier and return address of a sign-in
on its way through the provider, on the server rather than in the cookie.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_single_sign_on'
down_revision = '0012_inbox_panels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column('last_sign_in_method', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_staff_user_sso_subject'), ['sso_subject']
        )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_sid', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('id_token', sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_staff_session_provider_sid'), ['provider_sid'], unique=False
        )
    op.create_table(
        'sign_in_state',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_state')),
    )
    with op.batch_alter_table('sign_in_state', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_sign_in_state_expires_at'), ['expires_at'], unique=False
        )


def downgrade():
    op.drop_table('sign_in_state')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_provider_sid'))
        batch_op.drop_column('id_token')
        batch_op.drop_column('provider_sid')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_staff_user_sso_subject'), type_='unique')
        batch_op.drop_column('last_sign_in_method')
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('sso_subject')
