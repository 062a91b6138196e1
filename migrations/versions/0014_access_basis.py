"""the basis of each access to a request, in the audit log

Revision ID: 0014_access_basis
Revises: 0013_single_sign_on
Create Date: 2026-12-07 00:30:00

Every audit event that reads or changes a request records on what basis (Client Data Act
703/2023, §11): the person's own request, team duty, supervision, the family's own request
(data rights) or administration, derived from the role and the request's owner at that moment.
Events written before are left without one. An index serves the supervisor's log review (a
person's reads on team duty in a period).
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_access_basis'
down_revision = '0013_single_sign_on'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_audit_event_review', ['basis', 'user_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_review')
        batch_op.drop_column('basis')
