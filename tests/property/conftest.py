"""Property-based tests of every form and filter: odd but plausible input, posted with a valid
CSRF token by a signed-in user of the right role, never gets a 5xx, text that is accepted is
stored exactly, and each form accepts at least its share of the examples
(``tally.MINIMUM_ACCEPTED``, checked after each test).

The number of examples comes from a Hypothesis profile: ``default`` (a few per form, in
``make test``; ``PROPERTY_EXAMPLES`` changes it) or ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``, 1,000
per form, or ``FUZZ_EXAMPLES``; ``make fuzz``), which also prints a table of the answers.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from pyydaapua.accounts import users
from tests.property import tally

_SLOW_FIXTURES = [
    HealthCheck.function_scoped_fixture,  # one signed-in client and one request per test
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]
settings.register_profile(
    "default",
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "10")),
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run of the suite
    suppress_health_check=_SLOW_FIXTURES,
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    database=None,
    suppress_health_check=_SLOW_FIXTURES,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the smallest cost, so that a sign-in or a new password does not take most
    of an example's time. The hashes name their parameters, so verification still works."""

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(users, "_hasher", hasher)
    monkeypatch.setattr(users, "_DUMMY_HASH", hasher.hash("not anyone's password"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """After a test that passed: each form it sent to accepted its share of the examples."""
    before = tally.snapshot()
    result = yield
    tally.check_acceptance(before)
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not tally.ANSWERS:
        return
    terminalreporter.write_sep("=", "answers of the fuzzed forms")
    terminalreporter.write_line(tally.table(tally.database_kind()))
    if tally.FAILURES:
        terminalreporter.write_sep("=", "requests answered with a 5xx")
        terminalreporter.write_line(tally.failures())
    tally.write_report()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if tally.FAILURES:  # in the fuzz run the tests go on after a 5xx: fail the run here
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
