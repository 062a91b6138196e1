"""The rules of working a request."""

from datetime import UTC, date, datetime, timedelta

import pytest

from pyydaapua.rules import status_flow
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
    status_flow.check_transition(current, target, outcome)


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
        status_flow.check_transition(current, target, outcome)
    assert error.value.code == code


def test_every_status_has_transitions_and_closing_is_reachable() -> None:
    assert set(status_flow.TRANSITIONS) == set(status_flow.STATUSES)
    assert all("closed" in status_flow.TRANSITIONS[s] for s in status_flow.OPEN_STATUSES)


def test_contact_starts_the_work() -> None:
    assert status_flow.status_after_contact("new") == "in_progress"
    assert status_flow.status_after_contact("waiting") == "waiting"
    assert status_flow.status_after_contact("closed") == "closed"


def test_only_a_reached_call_is_a_contact() -> None:
    assert status_flow.counts_as_contact("reached")
    for result in ("no_answer", "left_message", "sms_sent"):
        assert not status_flow.counts_as_contact(result)


def test_first_contact_on_time_uses_the_helsinki_date() -> None:
    due = date(2026, 11, 26)
    assert status_flow.first_contact_on_time(datetime(2026, 11, 26, 21, 59, tzinfo=UTC), due)
    # 22:01 UTC is already 27.11. in Helsinki: a day late.
    assert not status_flow.first_contact_on_time(datetime(2026, 11, 26, 22, 1, tzinfo=UTC), due)
    assert status_flow.first_contact_on_time(datetime(2026, 11, 24, 8, tzinfo=UTC), due)


def test_workflow_error_carries_its_code() -> None:
    error = WorkflowError("outcome_required", "outcome")
    assert str(error) == error.code == "outcome_required"
    assert error.field == "outcome"


def test_an_unknown_status_allows_no_transition() -> None:
    with pytest.raises(WorkflowError, match="transition_not_allowed"):
        status_flow.check_transition("archived", "closed", "other")


def test_call_times_are_compared_to_the_minute_of_the_submission() -> None:
    submitted = datetime(2026, 11, 26, 9, 15, 0, 500_000, tzinfo=UTC)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    status_flow.check_call_time(datetime(2026, 11, 26, 9, 15, tzinfo=UTC), submitted, now)
    status_flow.check_visit_time(datetime(2026, 11, 26, 9, 15, tzinfo=UTC), submitted)


@pytest.mark.parametrize(
    ("submitted", "contacted", "days"),
    [
        # Thursday 23.00 in Helsinki to Monday: Friday and Monday; 00.30 on Friday: Monday.
        (datetime(2026, 11, 26, 21, 0, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 2),
        (datetime(2026, 11, 26, 22, 30, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC), 1),
        (datetime(2026, 11, 26, 8, 0, tzinfo=UTC), datetime(2026, 11, 26, 9, 0, tzinfo=UTC), 0),
        (datetime(2026, 11, 26, 8, 0, tzinfo=UTC), datetime(2026, 11, 27, 9, 0, tzinfo=UTC), 1),
        # A contact time before the submission (a clock running fast) counts as the same day.
        (datetime(2026, 11, 27, 8, 0, tzinfo=UTC), datetime(2026, 11, 26, 9, 0, tzinfo=UTC), 0),
    ],
)
def test_working_days_to_contact(submitted: datetime, contacted: datetime, days: int) -> None:
    assert status_flow.working_days_to_contact(submitted, contacted) == days


def test_a_message_goes_only_to_an_open_request_answered_on_the_status_page() -> None:
    for status in ("new", "in_progress", "waiting"):
        status_flow.check_message_to_family("status_page", status)
    with pytest.raises(status_flow.WorkflowError) as to_a_phone_family:
        status_flow.check_message_to_family("phone", "new")
    assert to_a_phone_family.value.code == "no_status_page"
    with pytest.raises(status_flow.WorkflowError) as to_a_closed_request:
        status_flow.check_message_to_family("status_page", "closed")
    assert to_a_closed_request.value.code == "message_to_closed"


def test_a_visit_is_open_while_planned_and_still_to_come() -> None:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert status_flow.visit_is_open("planned", now, now)  # starting now: still to come
    assert status_flow.visit_is_open("planned", now + timedelta(days=1), now)
    assert not status_flow.visit_is_open("planned", now - timedelta(minutes=1), now)
    for status in ("done", "cancelled"):
        assert not status_flow.visit_is_open(status, now + timedelta(days=1), now)


def test_only_a_sent_referral_waits_for_an_answer() -> None:
    waiting = [s for s in status_flow.REFERRAL_STATUSES if status_flow.referral_is_open(s)]
    assert waiting == ["sent"]


@pytest.mark.parametrize("status", status_flow.OPEN_STATUSES)
def test_an_open_request_takes_work_and_is_not_reopened(status) -> None:
    status_flow.check_open(status)
    with pytest.raises(WorkflowError) as refused:
        status_flow.check_reopen(status)
    assert refused.value.code == "request_open"


def test_a_closed_request_takes_only_reopening() -> None:
    with pytest.raises(WorkflowError) as refused:
        status_flow.check_open("closed")
    assert refused.value.code == "request_closed"
    status_flow.check_reopen("closed")
    assert status_flow.TRANSITIONS["closed"] == ("in_progress",)
