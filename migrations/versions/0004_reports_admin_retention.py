"""reports, administration and retention: submission day and month, working days to
contact, the report index, removed personal data, forced password change, service descriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:20:00

"""
from datetime import UTC, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

HELSINKI = ZoneInfo("Europe/Helsinki")


# The working-day rule as it was at this revision (pyydaapua/workdays.py), frozen here: a
# revision never imports the application, whose code goes on changing after it.
@lru_cache(maxsize=64)
def _holidays_of(year):
    return frozenset(holidays.Finland(years=year).keys())


def _is_working_day(day):
    """Monday to Friday when it is not a Finnish public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if _is_working_day(start + timedelta(days=offset))
    )


def _helsinki(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


def upgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('submitted_month', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_contact_workdays', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('personal_data_removed_at', sa.DateTime(timezone=True), nullable=True)
        )

    # Existing rows: the Helsinki submission day and the working days to the first contact.
    bind = op.get_bind()
    table = sa.table(
        'help_request',
        sa.column('id', sa.Integer),
        sa.column('submitted_at', sa.DateTime(timezone=True)),
        sa.column('first_contact_at', sa.DateTime(timezone=True)),
        sa.column('submitted_on', sa.Date),
        sa.column('submitted_month', sa.Integer),
        sa.column('first_contact_workdays', sa.Integer),
    )
    rows = bind.execute(sa.select(table.c.id, table.c.submitted_at, table.c.first_contact_at))
    updates = []
    for row_id, submitted_at, first_contact_at in rows:
        submitted_on = _helsinki(submitted_at)
        workdays = None
        if first_contact_at is not None:
            workdays = max(0, working_days_between(submitted_on, _helsinki(first_contact_at)))
        updates.append({
            'row_id': row_id,
            'on': submitted_on,
            'month': submitted_on.year * 100 + submitted_on.month,
            'workdays': workdays,
        })
    if updates:
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam('row_id'))
            .values(
                submitted_on=sa.bindparam('on'),
                submitted_month=sa.bindparam('month'),
                first_contact_workdays=sa.bindparam('workdays'),
            ),
            updates,
        )

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.alter_column('submitted_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('submitted_month', existing_type=sa.Integer(), nullable=False)
        # Every column the reports read, so they never touch the rows themselves.
        batch_op.create_index('ix_help_request_report', [
            'submitted_on', 'submitted_month', 'call_language', 'due_date', 'first_contact_at',
            'first_contact_on_time', 'first_contact_workdays', 'status', 'outcome',
            'call_attempts',
        ], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('password_change_required', sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_fi', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('description_sv', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('description_sv')
        batch_op.drop_column('description_fi')

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('password_change_required')

    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_report')
        batch_op.drop_column('submitted_month')
        batch_op.drop_column('personal_data_removed_at')
        batch_op.drop_column('first_contact_workdays')
        batch_op.drop_column('submitted_on')
