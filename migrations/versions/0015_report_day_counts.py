"""the reports' counts per submission day, kept by triggers

Revision ID: 0015_report_day_counts
Revises: 0014_access_basis
Create Date: 2026-12-07 03:00:00

The reports count the requests received in a period, by month, language, topic, outcome,
working days to the first contact, calls, referrals and home visits. Counting the rows of a
long period grows with the data; the table ``report_day_count`` holds, for each submission day
(and its month), how many requests (or topics, referrals, visits) there are of each kind: a row
per day, figure and code. Triggers on ``help_request``, ``request_topic``, ``referral`` and
``home_visit`` keep the numbers exact in the same transaction as every insert, change and
delete, as the request counts of 0006 are kept; the upgrade fills them from the rows that
exist. The figures, with the code each is counted by:

- received, reached, on_time: the call language, of every request, of those reached (a first
  contact) and of those reached within three working days;
- unreached: the due date (YYYY-MM-DD) of those not reached: the report tells those not yet
  due from those never reached by comparing it with today;
- workdays: the working days to the first contact; outcome: the closing outcome;
- contact_method: how the family asked to be answered;
- calls: the calls made, 0, 1, 2 or 3+, of the requests answered by phone; calls_made: the
  number of calls itself, added up (code "");
- reached_by_call: first_try or more_tries, from the calls it took to reach the family first;
- topic: the topic ticked; visit: the home visit's status;
- referral: the service's id, the referral's status and the family's consent ("" when not
  recorded), separated by spaces.

A request's submission day never changes in the service; when a statement changes it, the
figures of its topics, referrals and visits move with it. Deleting a request takes away the
figures of its topics, referrals and visits too, before they go (by a cascade) or stay behind
without their request, so the counts equal counting the requests' rows joined to their parts.
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0015_report_day_counts"
down_revision = "0014_access_basis"
branch_labels = None
depends_on = None

# The figures of a request: (figure, code, condition or None, amount, the columns they read),
# with {r} standing for the row (NEW, OLD, or the table's alias when filling) and {due} for
# its due date as text (YYYY-MM-DD).
REQUEST_FIGURES = [
    ("received", "{r}.call_language", None, "1", ["call_language"]),
    # Not reached, by the due date: those whose due date has not passed are not yet due.
    ("unreached", "{due}", "{r}.first_contact_at IS NULL", "1", ["first_contact_at", "due_date"]),
    (
        "reached",
        "{r}.call_language",
        "{r}.first_contact_at IS NOT NULL",
        "1",
        ["call_language", "first_contact_at"],
    ),
    (
        "on_time",
        "{r}.call_language",
        "{r}.first_contact_on_time IS TRUE",
        "1",
        ["call_language", "first_contact_on_time"],
    ),
    (
        "workdays",
        "CAST({r}.first_contact_workdays AS TEXT)",
        "{r}.first_contact_workdays IS NOT NULL",
        "1",
        ["first_contact_workdays"],
    ),
    ("outcome", "{r}.outcome", "{r}.outcome IS NOT NULL", "1", ["outcome"]),
    ("contact_method", "{r}.contact_method", None, "1", ["contact_method"]),
    (
        "calls",
        "CASE WHEN {r}.call_attempts >= 3 THEN '3+' ELSE CAST({r}.call_attempts AS TEXT) END",
        "{r}.contact_method = 'phone'",
        "1",
        ["call_attempts", "contact_method"],
    ),
    ("calls_made", "''", "{r}.call_attempts <> 0", "{r}.call_attempts", ["call_attempts"]),
    (
        "reached_by_call",
        "CASE WHEN {r}.first_contact_attempts = 1 THEN 'first_try' ELSE 'more_tries' END",
        "{r}.first_contact_attempts >= 1",
        "1",
        ["first_contact_attempts"],
    ),
]
# The figures of a request's parts: (figure, table, code, the columns it reads).
PART_FIGURES = [
    ("topic", "request_topic", "{r}.topic", ["topic"]),
    (
        "referral",
        "referral",
        "CAST({r}.service_id AS TEXT) || ' ' || {r}.status || ' ' || COALESCE({r}.consent, '')",
        ["service_id", "status", "consent"],
    ),
    ("visit", "home_visit", "{r}.status", ["status"]),
]
DAY_COLUMNS = ["submitted_on", "submitted_month"]
REQUEST_COLUMNS = sorted(
    {*DAY_COLUMNS, *(column for *_, columns in REQUEST_FIGURES for column in columns)}
)

ADD = (
    "INSERT INTO report_day_count (day, month, figure, code, total) {select} "
    "ON CONFLICT (day, figure, code) DO UPDATE "
    "SET total = report_day_count.total + excluded.total"
)


def _distinct(postgresql: bool, columns: list[str]) -> str:
    """Whether any of ``columns`` differs between OLD and NEW."""
    word = "IS DISTINCT FROM" if postgresql else "IS NOT"
    return "(" + " OR ".join(f"OLD.{c} {word} NEW.{c}" for c in columns) + ")"


def _where(*conditions: str | None) -> str:
    return " AND ".join(c for c in conditions if c) or "1 = 1"


def _sql(template: str, row: str, postgresql: bool) -> str:
    """A figure's expression for ``row``; a date as text is the same on both databases."""
    due = f"to_char({row}.due_date, 'YYYY-MM-DD')" if postgresql else f"{row}.due_date"
    return template.format(r=row, due=due)


def _request_statements(
    row: str, sign: str, guard: Callable[[str], str] | None, postgresql: bool
) -> list[str]:
    """Add (sign "+") or take away (sign "-") the figures of the request ``row``."""
    statements = []
    for figure, code, condition, amount, _ in REQUEST_FIGURES:
        code, amount = _sql(code, row, postgresql), _sql(amount, row, postgresql)
        condition = _sql(condition, row, postgresql) if condition else None
        this_guard = guard(figure) if guard else None
        if sign == "+":
            select = (
                f"SELECT {row}.submitted_on, {row}.submitted_month, '{figure}', {code}, "
                f"{amount} WHERE {_where(condition, this_guard)}"
            )
            statements.append(ADD.format(select=select))
        else:
            statements.append(
                f"UPDATE report_day_count SET total = total - {amount} "
                f"WHERE day = {row}.submitted_on AND figure = '{figure}' AND code = {code} "
                f"AND {_where(condition, this_guard)}"
            )
    return statements


def _parts_statements(row: str, sign: str, guard: str | None) -> list[str]:
    """Add or take away the figures of every part (topic, referral, visit) of request ``row``
    at its day."""
    statements = []
    for figure, table, code, _ in PART_FIGURES:
        code = code.format(r="p")
        if sign == "+":
            select = (
                f"SELECT {row}.submitted_on, {row}.submitted_month, '{figure}', {code}, count(*) "
                f"FROM {table} p WHERE p.request_id = {row}.id AND {_where(guard)} "
                f"GROUP BY {code}"
            )
            statements.append(ADD.format(select=select))
        else:
            statements.append(
                "UPDATE report_day_count SET total = total - "
                f"(SELECT count(*) FROM {table} p WHERE p.request_id = {row}.id "
                f"AND {code} = report_day_count.code) "
                f"WHERE day = {row}.submitted_on AND figure = '{figure}' AND code IN "
                f"(SELECT {code} FROM {table} p WHERE p.request_id = {row}.id) AND {_where(guard)}"
            )
    return statements


def _part_statements(figure: str, code: str, row: str, sign: str, guard: str | None) -> list[str]:
    """Add or take away the figure of one part ``row``, at its request's day."""
    code = code.format(r=row)
    if sign == "+":
        select = (
            f"SELECT h.submitted_on, h.submitted_month, '{figure}', {code}, 1 "
            f"FROM help_request h WHERE h.id = {row}.request_id AND {_where(guard)}"
        )
        return [ADD.format(select=select)]
    return [
        f"UPDATE report_day_count SET total = total - 1 WHERE figure = '{figure}' "
        f"AND code = {code} AND day = "
        f"(SELECT h.submitted_on FROM help_request h WHERE h.id = {row}.request_id) "
        f"AND {_where(guard)}"
    ]


def _request_guards(postgresql: bool) -> Callable[[str], str]:
    """For an update: each figure is moved only when a column it reads (or the day) changed."""
    columns = {figure: [*DAY_COLUMNS, *cols] for figure, *_, cols in REQUEST_FIGURES}
    return lambda figure: _distinct(postgresql, columns[figure])


def _sqlite_triggers() -> list[str]:
    def trigger(name: str, when: str, statements: list[str], condition: str = "") -> str:
        body = ";\n        ".join(statements)
        return f"CREATE TRIGGER {name} {when}{condition} BEGIN\n        {body};\n    END"

    day_changed = _distinct(False, DAY_COLUMNS)
    guards = _request_guards(False)
    triggers = [
        trigger(
            "report_day_count_request_insert",
            "AFTER INSERT ON help_request",
            _request_statements("NEW", "+", None, False),
        ),
        trigger(
            "report_day_count_request_delete",
            "BEFORE DELETE ON help_request",
            [*_parts_statements("OLD", "-", None), *_request_statements("OLD", "-", None, False)],
        ),
        trigger(
            "report_day_count_request_update",
            f"AFTER UPDATE OF {', '.join(REQUEST_COLUMNS)} ON help_request",
            [
                *_request_statements("OLD", "-", guards, False),
                *_request_statements("NEW", "+", guards, False),
                *_parts_statements("OLD", "-", day_changed),
                *_parts_statements("NEW", "+", day_changed),
            ],
        ),
    ]
    for figure, table, code, columns in PART_FIGURES:
        changed = _distinct(False, ["request_id", *columns])
        triggers += [
            trigger(
                f"report_day_count_{table}_insert",
                f"AFTER INSERT ON {table}",
                _part_statements(figure, code, "NEW", "+", None),
            ),
            trigger(
                f"report_day_count_{table}_delete",
                f"AFTER DELETE ON {table}",
                _part_statements(figure, code, "OLD", "-", None),
            ),
            trigger(
                f"report_day_count_{table}_update",
                f"AFTER UPDATE OF {', '.join(['request_id', *columns])} ON {table}",
                [
                    *_part_statements(figure, code, "OLD", "-", None),
                    *_part_statements(figure, code, "NEW", "+", None),
                ],
                f" WHEN {changed}",
            ),
        ]
    return triggers


def _plpgsql(name: str, blocks: list[tuple[str, list[str]]], returns: str = "NULL") -> str:
    body = "\n        ".join(
        f"{'IF' if index == 0 else 'ELSIF'} TG_OP = '{op_name}' THEN\n            "
        + ";\n            ".join(statements)
        + ";"
        for index, (op_name, statements) in enumerate(blocks)
    )
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger AS $$\n    BEGIN\n        {body}\n"
        f"        END IF;\n        RETURN {returns};\n    END $$ LANGUAGE plpgsql"
    )


def _postgresql_triggers() -> list[str]:
    day_changed = _distinct(True, DAY_COLUMNS)
    guards = _request_guards(True)
    statements = [
        _plpgsql(
            "report_day_count_request_change",
            [
                ("INSERT", _request_statements("NEW", "+", None, True)),
                (
                    "UPDATE",
                    [
                        *_request_statements("OLD", "-", guards, True),
                        *_request_statements("NEW", "+", guards, True),
                        *_parts_statements("OLD", "-", day_changed),
                        *_parts_statements("NEW", "+", day_changed),
                    ],
                ),
            ],
        ),
        # Before the delete: the parts are still there (a cascade takes the topics after it).
        _plpgsql(
            "report_day_count_request_delete",
            [
                (
                    "DELETE",
                    [
                        *_parts_statements("OLD", "-", None),
                        *_request_statements("OLD", "-", None, True),
                    ],
                )
            ],
            returns="OLD",
        ),
        "CREATE TRIGGER report_day_count_request_insert AFTER INSERT ON help_request "
        "FOR EACH ROW EXECUTE FUNCTION report_day_count_request_change()",
        f"CREATE TRIGGER report_day_count_request_update AFTER UPDATE OF "
        f"{', '.join(REQUEST_COLUMNS)} ON help_request FOR EACH ROW "
        f"EXECUTE FUNCTION report_day_count_request_change()",
        "CREATE TRIGGER report_day_count_request_delete BEFORE DELETE ON help_request "
        "FOR EACH ROW EXECUTE FUNCTION report_day_count_request_delete()",
    ]
    for figure, table, code, columns in PART_FIGURES:
        statements += [
            _plpgsql(
                f"report_day_count_{table}_change",
                [
                    ("INSERT", _part_statements(figure, code, "NEW", "+", None)),
                    (
                        "UPDATE",
                        [
                            *_part_statements(figure, code, "OLD", "-", None),
                            *_part_statements(figure, code, "NEW", "+", None),
                        ],
                    ),
                    ("DELETE", _part_statements(figure, code, "OLD", "-", None)),
                ],
            ),
            f"CREATE TRIGGER report_day_count_{table}_insert_delete AFTER INSERT OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION report_day_count_{table}_change()",
            f"CREATE TRIGGER report_day_count_{table}_update AFTER UPDATE OF "
            f"{', '.join(['request_id', *columns])} ON {table} FOR EACH ROW "
            f"WHEN {_distinct(True, ['request_id', *columns])} "
            f"EXECUTE FUNCTION report_day_count_{table}_change()",
        ]
    return statements


def _fill(postgresql: bool) -> list[str]:
    """The figures of the rows that exist."""
    statements = []
    for figure, code, condition, amount, _ in REQUEST_FIGURES:
        code, amount = _sql(code, "r", postgresql), _sql(amount, "r", postgresql)
        where = f" WHERE {_sql(condition, 'r', postgresql)}" if condition else ""
        statements.append(
            "INSERT INTO report_day_count (day, month, figure, code, total) "
            f"SELECT r.submitted_on, r.submitted_month, '{figure}', {code}, sum({amount}) "
            f"FROM help_request r{where} GROUP BY 1, 2, 4"
        )
    for figure, table, code, _ in PART_FIGURES:
        code = code.format(r="p")
        statements.append(
            "INSERT INTO report_day_count (day, month, figure, code, total) "
            f"SELECT h.submitted_on, h.submitted_month, '{figure}', {code}, count(*) "
            f"FROM {table} p JOIN help_request h ON h.id = p.request_id "
            f"GROUP BY 1, 2, 4"
        )
    return statements


def upgrade():
    op.create_table(
        "report_day_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "figure", "code"),
        # On SQLite the rows are stored in the key's order: a period's days are read in one run.
        sqlite_with_rowid=False,
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # Every change rewrites a count: with room left on each page, and no index holding the
        # count, PostgreSQL updates it in place (a HOT update) instead of growing the table and
        # its key's index with a new version of the row each time.
        op.execute("ALTER TABLE report_day_count SET (fillfactor = 50)")
    for statement in _fill(postgresql):
        op.execute(statement)
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER report_day_count_request_insert ON help_request")
        op.execute("DROP TRIGGER report_day_count_request_update ON help_request")
        op.execute("DROP TRIGGER report_day_count_request_delete ON help_request")
        op.execute("DROP FUNCTION report_day_count_request_change()")
        op.execute("DROP FUNCTION report_day_count_request_delete()")
        for _, table, _, _ in PART_FIGURES:
            op.execute(f"DROP TRIGGER report_day_count_{table}_insert_delete ON {table}")
            op.execute(f"DROP TRIGGER report_day_count_{table}_update ON {table}")
            op.execute(f"DROP FUNCTION report_day_count_{table}_change()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER report_day_count_request_{name}")
            for _, table, _, _ in PART_FIGURES:
                op.execute(f"DROP TRIGGER report_day_count_{table}_{name}")
    op.drop_table("report_day_count")
