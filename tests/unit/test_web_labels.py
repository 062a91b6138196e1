"""Every stored code has a label, every label a code, and every label is in Finnish and Swedish."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

from pyydaapua import audit
from pyydaapua.casework.actions import ACTIONS as CASEWORK_ACTIONS
from pyydaapua.casework.actions import AUDIT_LABELS as CASEWORK_AUDIT_LABELS
from pyydaapua.casework.actions import TIMELINE_TEXTS
from pyydaapua.inbox.queries import OWNER_FILTERS, STATUS_FILTERS
from pyydaapua.rules import codes, disclosures, status_flow
from pyydaapua.status_page import access
from pyydaapua.web import labels
from pyydaapua.web.labels import language_choices

ROOT = Path(__file__).resolve().parents[2]
# The casework actions' events are declared with the actions, in their registry.
CASEWORK_AUDIT_ACTIONS = {action.audit_action for action in CASEWORK_ACTIONS.values()}


def calls(path: Path, names: tuple[str, ...]) -> list[ast.expr]:
    """The first argument of every call of ``names`` ("audit.record", "Read", …) in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and node.args and ast.unparse(node.func) in names:
            found.append(node.args[0])
    return found


def literals(expr: ast.expr) -> set[str] | None:
    """The codes a literal or ``"a" if … else "b"`` gives; None for anything else."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        body, orelse = literals(expr.body), literals(expr.orelse)
        if body is not None and orelse is not None:
            return body | orelse
    return None


def codes_of(expressions: list[ast.expr], computed: dict[str, set[str]]) -> set[str]:
    """The codes of ``expressions``: literals, or one of the ``computed`` expressions (by their
    source); any other expression fails, so a new kind of call must be added here."""
    codes: set[str] = set()
    for expr in expressions:
        found = literals(expr)
        if found is None:
            assert ast.unparse(expr) in computed, ast.unparse(expr)
            found = computed[ast.unparse(expr)]
        codes |= found
    return codes


def recorded_audit_actions() -> set[str]:
    """Every action passed to ``audit.record``, the admin and catalogue ``_audit`` helpers and
    ``Read`` anywhere in the code."""
    computed = {
        "action": set(),  # the _audit helpers pass their own argument on: their calls count
        "action.audit_action": CASEWORK_AUDIT_ACTIONS,
        "search_action(kind)": {audit.search_action(kind) for kind in audit.SEARCH_KINDS},
        "REQUEST_LISTED": {audit.REQUEST_LISTED},
        "SEARCH_NO_RESULTS": {audit.SEARCH_NO_RESULTS},
    }
    expressions = [
        expr
        for path in sorted((ROOT / "pyydaapua").rglob("*.py"))
        for expr in calls(path, ("audit.record", "_audit", "Read"))
    ]
    return codes_of(expressions, computed)


def timeline_kinds() -> set[str]:
    """Every kind of timeline event the casework writes (``change.event(kind, …)``)."""
    done_or_cancelled = {s for s in status_flow.VISIT_STATUSES if s != "planned"}
    computed = {"'visit_' + status": {"visit_" + status for status in done_or_cancelled}}
    expressions = calls(ROOT / "pyydaapua" / "casework" / "changes.py", ("change.event",))
    # The family's own message, written on the status page.
    return codes_of(expressions, computed) | {access.FROM_FAMILY}


CASES = [
    ("topics", codes.TOPICS, labels.TOPIC_LABELS),
    ("child_ages", codes.CHILD_AGES, labels.CHILD_AGE_LABELS),
    ("call_times", codes.CALL_TIMES, labels.CALL_TIME_LABELS),
    ("contact_methods", codes.CONTACT_METHODS, labels.CONTACT_METHOD_LABELS),
    ("roles", codes.ROLES, labels.ROLE_LABELS),
    ("statuses", status_flow.STATUSES, labels.STATUS_LABELS),
    ("outcomes", status_flow.OUTCOMES, labels.OUTCOME_LABELS),
    ("call_results", status_flow.CALL_RESULTS, labels.CALL_RESULT_LABELS),
    ("check_ins", status_flow.CHECK_INS, labels.CHECK_IN_LABELS),
    ("check_in_scale", status_flow.CHECK_IN_SCALE, labels.SCALE_LABELS),
    ("visit_statuses", status_flow.VISIT_STATUSES, labels.VISIT_STATUS_LABELS),
    ("referral_statuses", status_flow.REFERRAL_STATUSES, labels.REFERRAL_STATUS_LABELS),
    ("provider_types", status_flow.PROVIDER_TYPES, labels.PROVIDER_TYPE_LABELS),
    ("consents", codes.CONSENTS, labels.CONSENT_LABELS),
    # The reports' rows: the consents, and the referrals recorded before it was asked ("").
    ("consents_in_reports", (*codes.CONSENTS, ""), labels.CONSENT_SHORT_LABELS),
    ("disclosure_categories", codes.DISCLOSURE_CATEGORIES, labels.DISCLOSURE_CATEGORY_LABELS),
    ("disclosure_bases", (disclosures.PASSED_ON,), labels.DISCLOSURE_BASIS_LABELS),
    ("audit_events", audit.EVENTS, labels.EVENT_LABELS),
    ("casework_audit_events", CASEWORK_AUDIT_ACTIONS, CASEWORK_AUDIT_LABELS),
    # The inbox filters (not stored, but shown): the statuses' own labels name the rest.
    ("status_filters", set(STATUS_FILTERS) - set(status_flow.STATUSES), labels.FILTER_LABELS),
    ("owner_filters", OWNER_FILTERS, labels.OWNER_LABELS),
]


@pytest.mark.parametrize(
    ("values", "label_table"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_every_code_has_a_label_in_finnish_and_swedish(app, values, label_table) -> None:
    without_label = set(values) - set(label_table)
    without_code = set(label_table) - set(values)
    assert (without_label, without_code) == (set(), set())
    with app.test_request_context("/"):
        for code, label in label_table.items():
            with force_locale("en"):
                english = str(label)  # no English catalogue: the message id itself
            for language in codes.LANGUAGES:
                with force_locale(language):
                    assert str(label) != english, (language, code, english)


def test_every_language_is_named_in_itself() -> None:
    names = {choice.value: choice.label for choice in language_choices()}
    assert names == {"fi": "suomi", "sv": "svenska"}
    assert set(names) == set(codes.LANGUAGES)


def test_the_audit_actions_are_the_ones_recorded() -> None:
    recorded = recorded_audit_actions()
    assert {"sign_in", "retention_run", "service_created", "request_call"} <= recorded
    assert recorded == set(audit.EVENTS) | CASEWORK_AUDIT_ACTIONS
    assert not set(audit.EVENTS) & CASEWORK_AUDIT_ACTIONS
    assert len(audit.EVENTS) == len(set(audit.EVENTS))


def test_every_timeline_kind_written_has_its_text() -> None:
    """The texts (and their translations: tests/web/test_casework_actions.py) come from the
    registry of casework actions."""
    kinds = timeline_kinds()
    assert {"taken", "call", "closed", "visit_done", "visit_cancelled"} <= kinds
    assert kinds == set(TIMELINE_TEXTS)
    # Each kind belongs to one action.
    assert sum(len(action.timeline) for action in CASEWORK_ACTIONS.values()) == len(kinds)


def test_template_labels_are_translated_once_per_language(app) -> None:
    with app.test_request_context("/"):
        with force_locale("fi"):
            finnish = labels.template_labels()
            assert labels.template_labels() is finnish  # kept, not translated again
        with force_locale("sv"):
            swedish = labels.template_labels()
    assert finnish["status_labels"]["closed"] == "Suljettu"
    assert swedish["status_labels"]["closed"] == "Avslutad"
    assert all(type(label) is str for table in finnish.values() for label in table.values())
