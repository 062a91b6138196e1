"""Counts of the answers each fuzzed form gave, kept for the whole test run, and the check
that each form accepted at least its share of the examples."""

from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

COLUMNS = ("2xx", "3xx", "4xx", "5xx", "accepted")
ANSWERS: defaultdict[str, Counter[str]] = defaultdict(Counter)
# In the fuzz run a 5xx is counted and noted, and the run goes on, so that the table counts
# every example; the run fails at the end. Elsewhere the first 5xx fails its test at once.
KEEP_GOING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
FAILURES: defaultdict[str, list[str]] = defaultdict(list)


def send(
    form: str,
    client: FlaskClient,
    method: str,
    url: str,
    accepted_with: tuple[int, ...] = (),
    **kwargs: Any,
) -> Any:
    """Send one request, count its answer under ``form``, and fail on a 5xx (or a crash).
    ``accepted_with`` names answers that mean accepted for this form besides the usual ones
    (``was_accepted``)."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as error:
        ANSWERS[form]["5xx"] += 1
        FAILURES[form].append(f"{method} {url[:200]} raised {error!r}: {kwargs!r}"[:1000])
        raise
    status = response.status_code
    ANSWERS[form][f"{min(status // 100, 5)}xx"] += 1
    if status in accepted_with or was_accepted(method, kwargs.get("headers") or {}, status):
        ANSWERS[form]["accepted"] += 1
    if status >= 500:
        FAILURES[form].append(f"{method} {url[:200]} -> {status}: {kwargs!r}"[:1000])
    if not KEEP_GOING:
        assert status < 500, (form, method, url[:200], status, repr(kwargs)[:600])
    return response


# The least share of its examples that each form must accept (``was_accepted``: a 2xx for a
# GET; for a POST the redirect after the change, or with htmx the 2xx with the result), in every
# run. A third of the examples are well formed (``strategies.fields(spec, calm)``), so a form
# that refuses everything fails its test. Each share is about half of what the form accepted in
# a run of 150 random examples. Hypothesis never repeats an example, and some forms have only a
# few well-formed ones (a known id in a path, a referral's five statuses), so the share is
# counted of at most ``SHARE_OF_AT_MOST`` examples; at least one is always needed. A test that
# sends to a form not named here fails, so that each new form is given its share.
SHARE_OF_AT_MOST = 100
MINIMUM_ACCEPTED = {
    "account: language": 0.25,
    "account: own password": 0.05,
    "admin: (de)activate account": 0.25,
    "admin: change account": 0.15,
    "admin: change service": 0.15,
    "admin: new account": 0.05,
    "admin: new service": 0.07,
    "admin: reset two-factor sign-in": 0.5,
    "admin: set a password": 0.04,
    "casework: all fine": 0.15,
    "casework: assign": 0.1,
    "casework: book a visit": 0.08,
    "casework: call": 0.05,
    "casework: change a visit": 0.03,
    "casework: close with open work": 0.03,
    "casework: message": 0.05,
    "casework: note": 0.25,
    "casework: referral": 0.05,
    "casework: referral status": 0.01,
    "casework: status": 0.03,
    "casework: take": 0.1,
    "casework: visit done": 0.07,
    "filter: audit log": 0.1,
    "filter: inbox": 0.35,
    "filter: inbox poll (since)": 0.3,
    "filter: report CSV": 0.08,
    "filter: report period": 0.1,
    "filter: service search": 0.15,
    "filter: who has handled": 0.15,
    "filter: who has handled (CSV)": 0.15,
    "path: account and service ids": 0.01,
    "path: request ids": 0.01,
    "public: request form": 0.03,
    "sign-in": 0.05,
    "sign-in: code": 0.2,
    "sign-in: first code (enrolment)": 0.2,
}


def was_accepted(method: str, headers: dict[str, str], status: int) -> bool:
    """Whether an answer means the form or filter was accepted: for a GET, a 2xx; for a POST,
    the redirect after the change (3xx), or with htmx also the 2xx that replaces the form.
    A POST answered 200 without htmx is the form shown again, not accepted."""
    if method == "GET":
        return 200 <= status < 300
    if headers.get("HX-Request"):
        return 200 <= status < 400
    return 300 <= status < 400


def accepted(counts: Counter[str]) -> int:
    return counts["accepted"]


def snapshot() -> dict[str, Counter[str]]:
    """The counts so far, to compare with after a test."""
    return {form: Counter(counts) for form, counts in ANSWERS.items()}


def check_acceptance(before: dict[str, Counter[str]]) -> None:
    """Each form that the test sent to accepted at least its share of the test's examples
    (at least one): a form that refused every well-formed example fails here."""
    problems = []
    for form, counts in ANSWERS.items():
        sent = Counter(counts)
        sent.subtract(before.get(form, Counter()))
        examples = sum(sent[column] for column in COLUMNS[:-1])
        if not examples:
            continue
        if form not in MINIMUM_ACCEPTED:
            problems.append(f"{form}: give it its share in tally.MINIMUM_ACCEPTED")
            continue
        counted = min(examples, SHARE_OF_AT_MOST)
        needed = max(1, math.floor(MINIMUM_ACCEPTED[form] * counted))
        if accepted(sent) < needed:
            problems.append(
                f"{form}: {accepted(sent)} of {examples} examples accepted, "
                f"at least {needed} expected ({MINIMUM_ACCEPTED[form]:.0%}); "
                f"answers {dict(sent)}"
            )
    assert not problems, "\n".join(problems)


def table(database: str) -> str:
    """The counts as a Markdown table."""
    lines = [
        f"Database: {database}",
        "",
        "| form | examples | " + " | ".join(COLUMNS) + " |",
        "|---|---:|" + "---:|" * len(COLUMNS),
    ]
    totals: Counter[str] = Counter()
    for form in sorted(ANSWERS):
        counts = ANSWERS[form]
        totals.update(counts)
        lines.append(f"| {form} | {_examples(counts)} | " + _cells(counts) + " |")
    lines.append(f"| **all** | {_examples(totals)} | " + _cells(totals) + " |")
    return "\n".join(lines)


def _examples(counts: Counter[str]) -> int:
    return sum(counts[column] for column in COLUMNS[:-1])


def _cells(counts: Counter[str]) -> str:
    examples = _examples(counts)
    share = accepted(counts) / examples if examples else 0
    return " | ".join([*(str(counts[column]) for column in COLUMNS[:-1]), f"{share:.0%}"])


def failures() -> str:
    """The first few requests that got a 5xx, per form."""
    lines = []
    for form in sorted(FAILURES):
        lines.append(f"{form}: {len(FAILURES[form])} answers of 5xx, for example")
        lines.extend(f"  {failure}" for failure in FAILURES[form][:3])
    return "\n".join(lines)


def database_kind() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return "PostgreSQL" if url else "SQLite"


def write_report() -> None:
    """Write the table to ``FUZZ_REPORT`` (Markdown) and its counts beside it (JSON)."""
    path = os.environ.get("FUZZ_REPORT")
    if not path or not ANSWERS:
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(table(database_kind()) + "\n", encoding="utf-8")
    Path(path).with_suffix(".failures.txt").write_text(failures() + "\n", encoding="utf-8")
    Path(path).with_suffix(".json").write_text(
        json.dumps({form: dict(counts) for form, counts in ANSWERS.items()}, indent=2),
        encoding="utf-8",
    )
