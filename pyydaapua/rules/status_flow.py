"""The rules of working a help request: statuses, outcomes and the codes of each record.

Plain Python, no Flask and no database: the views and services ask these functions.
"""

from __future__ import annotations

from datetime import date, datetime

from pyydaapua.rules.times import CLOCK_TOLERANCE
from pyydaapua.rules.workdays import helsinki_date, working_days_between

STATUSES = ("new", "in_progress", "waiting", "closed")
OPEN_STATUSES = ("new", "in_progress", "waiting")
OUTCOMES = (
    "conversation_enough",
    "referred_city",
    "referred_third_sector",
    "referred_wellbeing_county",
    "continues_with_counsellor",
    "not_reached",
    "other",
)
CALL_RESULTS = ("reached", "no_answer", "left_message", "sms_sent")
CHECK_IN_SCALE = ("fine", "some_worries", "serious_worries")
CHECK_INS = ("coping", "finances", "daily_life")
VISIT_STATUSES = ("planned", "done", "cancelled")
# "ended": a referral still waiting for the service's answer when the request was closed,
# closed with it (the closer ticked it); it needs no answer any more.
REFERRAL_STATUSES = ("suggested", "sent", "accepted", "declined", "ended")
PROVIDER_TYPES = ("city", "third_sector", "wellbeing_county")

# Which status a request may move to from each status. Closing needs an outcome;
# a closed request can only be reopened (to in progress).
TRANSITIONS = {
    "new": ("in_progress", "waiting", "closed"),
    "in_progress": ("waiting", "closed"),
    "waiting": ("in_progress", "closed"),
    "closed": ("in_progress",),
}


class WorkflowError(ValueError):
    """The change is not allowed by the rules; ``code`` names the reason, ``field`` the form
    field at fault when there is one."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def _to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def check_call_time(called_at: datetime, submitted_at: datetime, now: datetime) -> None:
    """A call lies between the request's submission (to the minute: call times are typed
    without seconds) and now, plus the clock tolerance."""
    if called_at < _to_the_minute(submitted_at):
        raise WorkflowError("call_before_request", "called_at")
    if called_at > now + CLOCK_TOLERANCE:
        raise WorkflowError("call_in_future", "called_at")


def check_visit_time(starts_at: datetime, submitted_at: datetime) -> None:
    """A home visit cannot start before the request was sent (to the minute)."""
    if starts_at < _to_the_minute(submitted_at):
        raise WorkflowError("visit_before_request", "starts_at")


def check_visit_done(starts_at: datetime, now: datetime) -> None:
    """A visit can be marked done only once its start has passed (with the clock tolerance)."""
    if starts_at > now + CLOCK_TOLERANCE:
        raise WorkflowError("visit_not_started")


def check_transition(current: str, target: str, outcome: str | None) -> None:
    """Raise WorkflowError unless ``current`` may become ``target`` (with ``outcome``)."""
    if target not in TRANSITIONS.get(current, ()):
        raise WorkflowError("transition_not_allowed")
    if target == "closed" and outcome not in OUTCOMES:
        raise WorkflowError("outcome_required")


def check_open(status: str) -> None:
    """A closed request is closed: it takes no casework but being reopened."""
    if status == "closed":
        raise WorkflowError("request_closed")


def check_reopen(status: str) -> None:
    """Only a closed request is reopened (to in progress: ``TRANSITIONS["closed"]``)."""
    if status != "closed":
        raise WorkflowError("request_open")


def status_after_contact(current: str) -> str:
    """Working on a new request (taking it, calling, visiting) puts it in progress."""
    return "in_progress" if current == "new" else current


def check_message_to_family(contact_method: str, status: str) -> None:
    """A counsellor writes to the family only on a request answered on the status page (the
    family of a phone request has no way to read it), and only while it is open (a closed
    request's status page takes no answer)."""
    if contact_method != "status_page":
        raise WorkflowError("no_status_page")
    if status == "closed":
        raise WorkflowError("message_to_closed")


def first_contact_on_time(contacted_at: datetime, due: date) -> bool:
    """A first contact is on time when it happens on or before the due date in Helsinki."""
    return helsinki_date(contacted_at) <= due


def working_days_to_contact(submitted_at: datetime, contacted_at: datetime) -> int:
    """Working days from the Helsinki submission day to the first contact (0 = the same day)."""
    return max(0, working_days_between(helsinki_date(submitted_at), helsinki_date(contacted_at)))


def counts_as_contact(result: str) -> bool:
    """Only a call where the family was reached stops the three-day clock."""
    return result == "reached"


def visit_is_open(status: str, starts_at: datetime, now: datetime) -> bool:
    """A home visit still to come: planned, from now on (as in "my upcoming visits")."""
    return status == "planned" and starts_at >= now


def referral_is_open(status: str) -> bool:
    """A referral waiting for the service's answer. One suggested to the family is theirs to
    take up: closing the request does not leave it half done."""
    return status == "sent"
