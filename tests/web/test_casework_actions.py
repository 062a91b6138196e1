"""The registry of casework actions (pyydaapua/casework/actions.py): every registered action has
its route, its form where the page shows it, its audit label, and translations of these and of
its timeline texts (that every kind written has a text: tests/unit/test_labels.py); and a
change is committed with its audit event or not at all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from pyydaapua.casework import domain
from pyydaapua.casework.actions import (
    ACTIONS,
    LISTED_ACTIONS,
    PAGE_ACTIONS,
    REGIONS,
    TIMELINE_TEXTS,
    timeline_text,
)
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, TimelineEvent
from pyydaapua.web.extensions import db
from pyydaapua.web.labels import (
    AUDIT_LABELS,
    CALL_RESULT_LABELS,
    OUTCOME_LABELS,
    REFERRAL_STATUS_LABELS,
    STATUS_LABELS,
)
from tests.conftest import csrf_token

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DOMAIN = Path(domain.__file__)
NAMES = sorted(ACTIONS)


def translated(text: object) -> dict[str, str]:
    """``text`` rendered in English (the msgid), Finnish and Swedish."""
    rendered = {}
    for language in ("en", "fi", "sv"):
        with force_locale(language):
            rendered[language] = str(text() if callable(text) else text)
    return rendered


def assert_translated(text: object) -> None:
    rendered = translated(text)
    assert rendered["fi"] != rendered["en"], rendered
    assert rendered["sv"] != rendered["en"], rendered
    assert rendered["fi"] != rendered["sv"], rendered


@pytest.mark.parametrize("name", NAMES)
def test_every_action_has_its_post_route(app, name) -> None:
    action = ACTIONS[name]
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    rule = rules["staff." + action.endpoint]
    assert rule.rule == "/staff" + action.rule
    assert "POST" in rule.methods
    assert bool(rule.arguments - {"request_id"}) == action.per_item


@pytest.mark.parametrize("name", NAMES)
def test_every_action_has_its_form_where_the_page_shows_it(name) -> None:
    """A form of its own for an action listed on the page; the region's template posts to
    the action otherwise."""
    action = ACTIONS[name]
    if action.region == "form":
        source = (TEMPLATES / action.form_template).read_text(encoding="utf-8")
    else:
        assert action.region in REGIONS
        source = (TEMPLATES / action.template).read_text(encoding="utf-8")
    assert f"url_for('staff.{action.endpoint}'" in source
    if action.title is not None:
        assert action.region == "form"


@pytest.mark.parametrize("name", NAMES)
def test_every_action_text_is_translated(app, name) -> None:
    action = ACTIONS[name]
    with app.test_request_context():
        for text in (action.done, action.audit_label, action.title):
            if text is not None:
                assert_translated(text)
        assert AUDIT_LABELS[action.audit_action] is action.audit_label


# A value of the right kind of code for each timeline kind that shows one.
SAMPLE_VALUES = {
    "call": next(iter(CALL_RESULT_LABELS)),
    "status": next(iter(STATUS_LABELS)),
    "closed": next(iter(OUTCOME_LABELS)),
    "referral": next(iter(REFERRAL_STATUS_LABELS)),
    "referral_status": next(iter(REFERRAL_STATUS_LABELS)),
}


@pytest.mark.parametrize("kind", sorted(TIMELINE_TEXTS))
def test_every_timeline_text_is_translated(app, kind) -> None:
    service = SimpleNamespace(name=lambda language: "Perheneuvola")
    sample = SimpleNamespace(
        kind=kind,
        value=SAMPLE_VALUES.get(kind, ""),
        call=SimpleNamespace(duration_minutes=5),
        visit=SimpleNamespace(starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC)),
        referral=SimpleNamespace(service=service),
        other_user=SimpleNamespace(name="Maija"),
    )
    with app.test_request_context():
        assert_translated(lambda: timeline_text(sample))


@pytest.fixture
def request_id(app) -> int:
    with app.app_context():
        stored = submit(
            NewRequest(
                submission_key="a" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
                topics=["finances"],
            ),
            now=datetime.now(UTC) - timedelta(hours=2),
        )
        return stored.id


def test_the_request_page_lists_every_listed_action_with_its_form(
    app, staff_client, request_id
) -> None:
    html = staff_client("counsellor").get(f"/staff/requests/{request_id}").get_data(as_text=True)
    # Each in a collapsible section whose summary is a heading (reached by heading navigation).
    summaries = re.findall(
        r'<details class="action"[^>]*><summary><h3 class="action-title">([^<]+)</h3></summary>',
        html,
    )
    with app.test_request_context(), force_locale("fi"):
        assert summaries == [str(action.title) for action in LISTED_ACTIONS]
    for action in LISTED_ACTIONS:
        assert f'action="/staff/requests/{request_id}/' in html
        assert f'name="{action.name}-version"' in html
    assert {action.name for action in PAGE_ACTIONS} >= {a.name for a in LISTED_ACTIONS}


def test_a_change_is_not_stored_when_its_audit_event_cannot_be(
    app, staff_client, request_id
) -> None:
    """The note and its audit event are one transaction: when the audit INSERT fails (the
    database goes away at that moment), the note is not stored either."""
    counsellor = staff_client("counsellor")
    with app.app_context():
        version = db.session.get(HelpRequest, request_id).version
    data = {"note-version": version, "note-note": "Soitin", "csrf_token": csrf_token(counsellor)}

    def fail_on_the_audit_event(session, flush_context, instances) -> None:
        if any(
            isinstance(item, AuditEvent) and item.action == "request_note" for item in session.new
        ):
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    with app.app_context():
        event.listen(db.session, "before_flush", fail_on_the_audit_event)
        try:
            response = counsellor.post(f"/staff/requests/{request_id}/notes", data=data)
        finally:
            event.remove(db.session, "before_flush", fail_on_the_audit_event)
    assert response.status_code == 503
    with app.app_context():
        notes = db.session.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "note")
        )
        assert notes == 0
        assert db.session.get(HelpRequest, request_id).version == version
