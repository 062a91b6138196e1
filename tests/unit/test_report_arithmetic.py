"""The reports' arithmetic (pyydaapua/rules/report_arithmetic.py), without the database."""

from __future__ import annotations

from datetime import date

import pytest

from pyydaapua.rules.report_arithmetic import Period, percentile


@pytest.mark.parametrize(
    ("today", "start"),
    [(date(2026, 11, 23), date(2025, 12, 1)), (date(2026, 1, 5), date(2025, 2, 1))],
)
def test_the_default_period_is_the_last_twelve_months(today, start) -> None:
    period = Period.last_twelve_months(today)
    assert (period.start, period.end) == (start, today)
    assert len(period.months()) == 12


def test_percentile_is_nearest_rank() -> None:
    assert percentile({}, 0.5) is None
    assert percentile({1: 1}, 0.9) == 1
    assert percentile({0: 5, 1: 4, 7: 1}, 0.5) == 0
    assert percentile({0: 5, 1: 4, 7: 1}, 0.9) == 1
    assert percentile({0: 5, 1: 4, 7: 1}, 0.95) == 7
