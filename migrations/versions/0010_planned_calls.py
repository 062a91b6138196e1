"""call-backs at a set time, and the calls it took to reach the family

Revision ID: 0010_planned_calls
Revises: 0009_public_session
Create Date: 2026-12-06 23:30:00

A request holds its next planned call (``planned_call_at``, by ``planned_call_by_id``, agreed
with the family or proposed), with a partial index for a counsellor's calls in time order, and
the number of calls it took to reach the family the first time (``first_contact_attempts``),
which the reports' covering index now holds. Requests already reached get it from their calls.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_planned_calls'
down_revision = '0009_public_session'
branch_labels = None
depends_on = None

FOREIGN_KEY = 'fk_help_request_planned_call_by_id_staff_user'
PLANNED = sa.text('planned_call_at IS NOT NULL')
REPORT_COLUMNS = [
    'submitted_on', 'submitted_month', 'call_language', 'due_date', 'first_contact_at',
    'first_contact_on_time', 'first_contact_workdays', 'status', 'outcome', 'call_attempts',
    'contact_method',
]


def upgrade():
    # Plain ALTERs: a batch copy of the table would not carry SQLite's expression index.
    op.add_column('help_request', sa.Column('first_contact_attempts', sa.Integer(), nullable=True))
    op.add_column(
        'help_request', sa.Column('planned_call_at', sa.DateTime(timezone=True), nullable=True)
    )
    if op.get_bind().dialect.name == 'sqlite':  # SQLite adds a column's key only with it
        op.execute(
            'ALTER TABLE help_request ADD COLUMN planned_call_by_id INTEGER '
            f'CONSTRAINT {FOREIGN_KEY} REFERENCES staff_user (id)'
        )
    else:
        op.add_column('help_request', sa.Column('planned_call_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            FOREIGN_KEY, 'help_request', 'staff_user', ['planned_call_by_id'], ['id']
        )
    op.add_column('help_request', sa.Column('planned_call_agreed', sa.Boolean(), nullable=True))
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.create_index(
            'ix_help_request_planned_call', ['planned_call_by_id', 'planned_call_at'],
            unique=False, sqlite_where=PLANNED, postgresql_where=PLANNED,
        )
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index(
            'ix_help_request_report', [*REPORT_COLUMNS, 'first_contact_attempts', 'id'],
            unique=False,
        )
    # The calls up to and including the first reached one, for requests already reached.
    op.execute(
        """
        UPDATE help_request SET first_contact_attempts = (
            SELECT COUNT(*) FROM call
            WHERE call.request_id = help_request.id
              AND call.called_at <= (
                  SELECT MIN(c2.called_at) FROM call c2
                  WHERE c2.request_id = help_request.id AND c2.result = 'reached'
              )
        )
        WHERE first_contact_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM call c3
                      WHERE c3.request_id = help_request.id AND c3.result = 'reached')
        """
    )


def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index('ix_help_request_report', [*REPORT_COLUMNS, 'id'], unique=False)
        batch_op.drop_index('ix_help_request_planned_call')
        batch_op.drop_column('planned_call_agreed')
        batch_op.drop_column('planned_call_at')
        batch_op.drop_column('first_contact_attempts')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(FOREIGN_KEY, 'help_request', type_='foreignkey')
    op.drop_column('help_request', 'planned_call_by_id')
