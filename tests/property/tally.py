"""Counts of the answers each fuzzed form gave, kept for the whole test run."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

COLUMNS = ("2xx", "3xx", "4xx", "5xx")
ANSWERS: defaultdict[str, Counter[str]] = defaultdict(Counter)
# In the fuzz run a 5xx is counted and noted, and the run goes on, so that the table counts
# every example; the run fails at the end. Elsewhere the first 5xx fails its test at once.
KEEP_GOING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
FAILURES: defaultdict[str, list[str]] = defaultdict(list)


def send(form: str, client: FlaskClient, method: str, url: str, **kwargs: Any) -> Any:
    """Send one request, count its answer under ``form``, and fail on a 5xx (or a crash)."""
    try:
        response = client.open(url, method=method, **kwargs)
    except Exception as error:
        ANSWERS[form]["5xx"] += 1
        FAILURES[form].append(f"{method} {url[:200]} raised {error!r}: {kwargs!r}"[:1000])
        raise
    status = response.status_code
    ANSWERS[form][f"{min(status // 100, 5)}xx"] += 1
    if status >= 500:
        FAILURES[form].append(f"{method} {url[:200]} -> {status}: {kwargs!r}"[:1000])
    if not KEEP_GOING:
        assert status < 500, (form, method, url[:200], status, repr(kwargs)[:600])
    return response


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
        lines.append(
            f"| {form} | {sum(counts.values())} | "
            + " | ".join(str(counts[column]) for column in COLUMNS)
            + " |"
        )
    lines.append(
        f"| **all** | {sum(totals.values())} | "
        + " | ".join(str(totals[column]) for column in COLUMNS)
        + " |"
    )
    return "\n".join(lines)


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
