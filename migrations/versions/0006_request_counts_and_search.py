"""request counts kept by triggers; trigram indexes for the inbox search on PostgreSQL

Revision ID: 0006_counts_search
Revises: 0005_two_factor
Create Date: 2026-12-01 06:40:00

The inbox shows how many requests there are of each status, and the menu how many open ones
have no owner, on every page. Counting the whole table each time grows with the data; the
table ``request_count`` holds the numbers per status and owner (assigned or not), and triggers
on ``help_request`` keep them exact in the same transaction as every insert, change of status
or owner, and delete. On PostgreSQL, trigram indexes serve the inbox search's
``lower(column) LIKE '%words%'`` and the phone search's ``LIKE '%digits%'``. The reports'
covering index gains the request id, so that the reports' joins (topics, referrals, visits)
read the requests of a period from the index alone. A partial index holds the open requests
in the inbox's order, so that its default page never steps over the closed ones.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_counts_search'
down_revision = '0005_two_factor'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER request_count_insert AFTER INSERT ON help_request BEGIN
        INSERT INTO request_count (status, assigned, total)
        VALUES (NEW.status, NEW.assigned_to_id IS NOT NULL, 1)
        ON CONFLICT (status, assigned) DO UPDATE SET total = total + 1;
    END""",
    """CREATE TRIGGER request_count_delete AFTER DELETE ON help_request BEGIN
        UPDATE request_count SET total = total - 1
        WHERE status = OLD.status AND assigned = (OLD.assigned_to_id IS NOT NULL);
    END""",
    """CREATE TRIGGER request_count_update AFTER UPDATE OF status, assigned_to_id ON help_request
    WHEN OLD.status IS NOT NEW.status
        OR (OLD.assigned_to_id IS NULL) IS NOT (NEW.assigned_to_id IS NULL)
    BEGIN
        UPDATE request_count SET total = total - 1
        WHERE status = OLD.status AND assigned = (OLD.assigned_to_id IS NOT NULL);
        INSERT INTO request_count (status, assigned, total)
        VALUES (NEW.status, NEW.assigned_to_id IS NOT NULL, 1)
        ON CONFLICT (status, assigned) DO UPDATE SET total = total + 1;
    END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION request_count_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE request_count SET total = total - 1
            WHERE status = OLD.status AND assigned = (OLD.assigned_to_id IS NOT NULL);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO request_count (status, assigned, total)
            VALUES (NEW.status, NEW.assigned_to_id IS NOT NULL, 1)
            ON CONFLICT (status, assigned) DO UPDATE SET total = request_count.total + 1;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER request_count_insert_delete AFTER INSERT OR DELETE ON help_request
    FOR EACH ROW EXECUTE FUNCTION request_count_change()""",
    """CREATE TRIGGER request_count_update AFTER UPDATE OF status, assigned_to_id ON help_request
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR (OLD.assigned_to_id IS NULL) <> (NEW.assigned_to_id IS NULL))
    EXECUTE FUNCTION request_count_change()""",
]

TRIGRAM_INDEXES = {
    "ix_help_request_name_trgm": "lower(name) gin_trgm_ops",
    "ix_help_request_description_trgm": "lower(description) gin_trgm_ops",
    "ix_help_request_phone_trgm": "phone gin_trgm_ops",
}


OPEN = sa.text("status IN ('new', 'in_progress', 'waiting')")
REPORT_COLUMNS = [
    'submitted_on', 'submitted_month', 'call_language', 'due_date', 'first_contact_at',
    'first_contact_on_time', 'first_contact_workdays', 'status', 'outcome', 'call_attempts',
]


def upgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index('ix_help_request_report', [*REPORT_COLUMNS, 'id'], unique=False)
        batch_op.create_index(
            'ix_help_request_open_due', ['due_date', 'submitted_at', 'id'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )
    op.create_table(
        'request_count',
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('assigned', sa.Boolean(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('status', 'assigned'),
    )
    op.execute(
        "INSERT INTO request_count (status, assigned, total) "
        "SELECT status, assigned_to_id IS NOT NULL, count(*) FROM help_request "
        "GROUP BY status, assigned_to_id IS NOT NULL"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, expression in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON help_request USING gin ({expression})")


def downgrade():
    with op.batch_alter_table('help_request', schema=None) as batch_op:
        batch_op.drop_index('ix_help_request_open_due')
        batch_op.drop_index('ix_help_request_report')
        batch_op.create_index('ix_help_request_report', REPORT_COLUMNS, unique=False)
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX {name}")
        op.execute("DROP TRIGGER request_count_update ON help_request")
        op.execute("DROP TRIGGER request_count_insert_delete ON help_request")
        op.execute("DROP FUNCTION request_count_change()")
    else:
        for name in ("request_count_insert", "request_count_delete", "request_count_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('request_count')
