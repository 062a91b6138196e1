"""The family's consent on a referral, and what a disclosure of their information records.

The Client Data Act (703/2023) expects a log of every disclosure: what was passed on, to whom,
when and on what basis. Information is passed on only with the family's consent given in the
call ("given"): that needs at least one category and a recipient, and becomes one entry in the
disclosure log. When the family contacts the service themselves ("self") or declines
("declined"), nothing is passed on, so no category may be named. Plain Python: the referral
form and the casework change both ask these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pyydaapua.rules.codes import CONSENTS, DISCLOSURE_CATEGORIES
from pyydaapua.rules.status_flow import WorkflowError
from pyydaapua.rules.times import CLOCK_TOLERANCE

# The consent under which information is passed on (the disclosure's basis).
PASSED_ON = "given"


def problems(consent: str | None, categories: Iterable[str], recipient: str) -> list[WorkflowError]:
    """Everything wrong with a referral's consent and what it passes on (empty: nothing).
    Each error names its code and the form field at fault."""
    chosen = list(categories)
    found: list[WorkflowError] = []
    if consent not in CONSENTS:
        return [WorkflowError("consent_required", "consent")]
    if any(code not in DISCLOSURE_CATEGORIES for code in chosen):
        found.append(WorkflowError("category_unknown", "categories"))
    if consent == PASSED_ON:
        if not chosen:
            found.append(WorkflowError("disclosure_without_categories", "categories"))
        if not recipient.strip():
            found.append(WorkflowError("disclosure_without_recipient", "recipient_unit"))
    elif chosen:
        found.append(WorkflowError("nothing_passed_on", "categories"))
    return found


def check(consent: str | None, categories: Iterable[str], recipient: str) -> None:
    """Refuse a referral whose consent and categories do not go together (the first problem)."""
    found = problems(consent, categories, recipient)
    if found:
        raise found[0]


def check_time(disclosed_at: datetime, submitted_at: datetime, now: datetime) -> None:
    """Information is passed on after the request arrived (to the minute: times are typed
    without seconds) and not later than now: the log records what was done."""
    if disclosed_at < submitted_at.replace(second=0, microsecond=0):
        raise WorkflowError("disclosure_before_request", "disclosed_at")
    if disclosed_at > now + CLOCK_TOLERANCE:
        raise WorkflowError("disclosure_in_future", "disclosed_at")


def join_categories(categories: Iterable[str]) -> str:
    """The categories as stored: each once, in the list's own order, comma-separated."""
    chosen = set(categories)
    return ",".join(code for code in DISCLOSURE_CATEGORIES if code in chosen)


def split_categories(stored: str) -> list[str]:
    """The stored categories as codes (an empty text: none)."""
    return [code for code in stored.split(",") if code]


def recipient_text(service_name: str, unit: str) -> str:
    """To whom: the service, and the unit or worker there when one was named."""
    unit = unit.strip()
    return f"{service_name} – {unit}" if unit else service_name
