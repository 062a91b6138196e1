"""The measurements of deploy/several_servers.py count only when they measured a page: long
enough runs, enough answers, no answer stalled for seconds, no errors."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _several_servers() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "several_servers", ROOT / "deploy" / "several_servers.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("several_servers", module)
    spec.loader.exec_module(module)
    return module


several = _several_servers()

# What wrk printed for the inbox behind the balancer while its workers were busy for seconds
# with the run before: no answer within the run. (The lines are those of ``wrk --latency``.)
NOTHING = """\
Running 2s test @ https://127.0.0.1:42333/staff/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 2.01s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
"""

HEALTHY = """\
Running 10s test @ http://127.0.0.1:60105/staff/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    81.31ms   22.20ms 235.13ms   72.34%
    Req/Sec    49.10     10.12    70.00     66.00%
  Latency Distribution
     50%   78.40ms
     75%   90.02ms
     90%  110.51ms
     99%  180.00ms
  981 requests in 10.01s, 71.93MB read
Requests/sec:     98.00
Transfer/sec:      7.19MB
"""

STALLED = """\
Running 10s test @ http://127.0.0.1:60105/staff/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   190.10ms  600.20ms   3.56s    92.34%
    Req/Sec     4.10      1.12     7.00     66.00%
  Latency Distribution
     50%   80.00ms
     75%   95.00ms
     90%  120.00ms
     99%    3.20s
  140 requests in 10.01s, 9.93MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:     13.99
Transfer/sec:    1015.80KB
"""


def test_a_run_that_answered_is_a_measurement() -> None:
    measure = several.parse_wrk("inbox", HEALTHY)
    assert (measure.requests_per_second, measure.answers) == (98.0, 981)
    assert measure.median_seconds == pytest.approx(0.0784)
    assert measure.p99_seconds == pytest.approx(0.18)
    assert measure.slowest_seconds == pytest.approx(0.23513)
    assert measure.problems() == []


def test_a_run_without_answers_is_not_a_measurement() -> None:
    measure = several.parse_wrk("inbox", NOTHING)
    assert measure.answers == 0
    assert measure.problems() == [f"only 0 answers, fewer than {several.MIN_ANSWERS}"]


def test_a_run_with_answers_of_seconds_errors_or_non_2xx_is_not_a_measurement() -> None:
    measure = several.parse_wrk("inbox", STALLED)
    assert measure.p99_seconds == pytest.approx(3.2)
    assert measure.problems() == [
        "1 % of the answers took 3.2 s or more, the median 80 ms",
        "3 non-2xx answers",
        "2 socket errors",
    ]


def test_on_a_busy_machine_answers_that_all_wait_are_no_stall() -> None:
    """8 connections on one worker: every answer waits for the others, the slowest 1 % two
    seconds, the median more than half a second."""
    busy = HEALTHY.replace("180.00ms", "2.10s").replace("78.40ms", "620.00ms")
    assert several.parse_wrk("inbox", busy).problems() == []


def test_one_late_answer_is_no_stall() -> None:
    """A busy machine may hold one answer back a second or two (the form page at load 9: 433
    answers, median 160 ms, the slowest 1.2 s)."""
    late = HEALTHY.replace("235.13ms", "2.40s")
    assert several.parse_wrk("inbox", late).problems() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("850.5us", 0.0008505), ("41.3ms", 0.0413), ("2.01s", 2.01), ("10", 10.0), ("1m", 60.0)],
)
def test_durations_are_read_as_wrk_writes_them(text: str, expected: float) -> None:
    assert several.seconds(text) == pytest.approx(expected)


def test_a_run_shorter_than_five_seconds_is_refused() -> None:
    assert several.run_length("5s") == "5s"
    assert several.run_length("1m") == "1m"
    for short in ("2s", "4500ms", "nonsense"):
        with pytest.raises(argparse.ArgumentTypeError):
            several.run_length(short)
