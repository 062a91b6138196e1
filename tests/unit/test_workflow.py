"""The rules of working a request."""

from datetime import UTC, date, datetime

import pytest

from pyydaapua.rules import status_flow as workflow
from pyydaapua.rules.status_flow import WorkflowError


@pytest.mark.parametrize(
    ("current", "target", "outcome"),
    [
        ("new", "in_progress", None),
        ("new", "waiting", None),
        ("in_progress", "waiting", None),
        ("waiting", "in_progress", None),
        ("new", "closed", "not_reached"),
        ("waiting", "closed", "conversation_enough"),
        ("closed", "in_progress", None),
    ],
)
def test_allowed_transitions(current, target, outcome) -> None:
    workflow.check_transition(current, target, outcome)


@pytest.mark.parametrize(
    ("current", "target", "outcome", "code"),
    [
        ("closed", "waiting", None, "transition_not_allowed"),
        ("closed", "closed", "other", "transition_not_allowed"),
        ("in_progress", "new", None, "transition_not_allowed"),
        ("in_progress", "closed", None, "outcome_required"),
        ("in_progress", "closed", "made-up", "outcome_required"),
    ],
)
def test_refused_transitions(current, target, outcome, code) -> None:
    with pytest.raises(WorkflowError) as error:
        workflow.check_transition(current, target, outcome)
    assert error.value.code == code


def test_every_status_has_transitions_and_closing_is_reachable() -> None:
    assert set(workflow.TRANSITIONS) == set(workflow.STATUSES)
    assert all("closed" in workflow.TRANSITIONS[s] for s in workflow.OPEN_STATUSES)


def test_contact_starts_the_work() -> None:
    assert workflow.status_after_contact("new") == "in_progress"
    assert workflow.status_after_contact("waiting") == "waiting"
    assert workflow.status_after_contact("closed") == "closed"


def test_only_a_reached_call_is_a_contact() -> None:
    assert workflow.counts_as_contact("reached")
    for result in ("no_answer", "left_message", "sms_sent"):
        assert not workflow.counts_as_contact(result)


def test_first_contact_on_time_uses_the_helsinki_date() -> None:
    due = date(2026, 11, 26)
    assert workflow.first_contact_on_time(datetime(2026, 11, 26, 21, 59, tzinfo=UTC), due)
    # 22:01 UTC is already 27.11. in Helsinki: a day late.
    assert not workflow.first_contact_on_time(datetime(2026, 11, 26, 22, 1, tzinfo=UTC), due)
    assert workflow.first_contact_on_time(datetime(2026, 11, 24, 8, tzinfo=UTC), due)
