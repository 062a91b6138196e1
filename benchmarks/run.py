"""Benchmark: latency, throughput against a bare Flask page, and memory, on data sets of
several sizes, with a summary against the targets.

    .venv/bin/python benchmarks/run.py [--sizes 1000,20000,100000] [--duration 10s]
        [--rounds 100] [--no-throughput] [--database-url postgresql+psycopg://…/postgres]

The data sets are built once and kept (datasets.py): SQLite files under instance/bench/, and
with --database-url (default: $BENCH_DATABASE_URL) also databases on that PostgreSQL server.
Prints Markdown tables for docs/quality.md.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import latency
import page_profile
import throughput
from datasets import working_copy


@dataclass
class Results:
    """What was measured on one back end, by data set size."""

    backend: str
    latency: dict[int, list[latency.Row]] = field(default_factory=dict)
    loads: dict[int, list[throughput.Load]] = field(default_factory=dict)


def _sizes(text: str) -> list[int]:
    return [int(size.replace("_", "")) for size in text.split(",") if size.strip()]


def _ratio(results: Results, size: int, page: str) -> float | None:
    loads = results.loads.get(size)
    if not loads:
        return None
    return throughput.ratio(loads, page)


def _rate(results: Results, size: int, page: str) -> float | None:
    loads = results.loads.get(size)
    return next(load.rate for load in loads if load.page == page) if loads else None


def _queries(results: Results, pages: tuple[str, ...]) -> int | None:
    counts = [
        row.high_queries for rows in results.latency.values() for row in rows if row.page in pages
    ]
    return max(counts) if counts else None


def _median(results: Results, size: int, pages: tuple[str, ...]) -> float | None:
    rows = [row for row in results.latency.get(size, []) if row.page in pages]
    return max(row.median_ms for row in rows) if rows else None


# Each page's rate as a share of the bare page's, measured in the same run (issue 23).
RATIO_TARGETS = (
    (throughput.FORM, 0.65),
    (throughput.INBOX, 0.30),
    (throughput.LONG_REQUEST, 0.30),
    (throughput.SUBMIT, 0.25),
)


def print_summary(all_results: list[Results]) -> None:
    print("| target | back end | measured | met |")
    print("|---|---|---:|---|")

    def line(
        target: str,
        results: Results,
        value: float | None,
        met: Callable[[float], bool],
        fmt: str = "{:.3f}",
    ) -> None:
        shown = "–" if value is None else fmt.format(value)
        verdict = "not measured" if value is None else ("met" if met(value) else "**not met**")
        print(f"| {target} | {results.backend} | {shown} | {verdict} |")

    for results in all_results:
        sizes = sorted(results.latency)
        # The ratios at 1,000 and at the largest size measured (either alone when it is the
        # only one; "not measured" when neither was).
        largest = max(results.loads, default=1_000)
        for page, goal in RATIO_TARGETS:
            for at in sorted({1_000, largest}):
                line(
                    f"{page} ≥ {goal:.2f} × bare page, at {at:,}",
                    results,
                    _ratio(results, at, page),
                    lambda value, goal=goal: value >= goal,
                )
        for page in (throughput.INBOX, throughput.LONG_REQUEST):
            small, large = _rate(results, 1_000, page), _rate(results, 100_000, page)
            line(
                f"{page}: req/s at 100,000 ≥ 0.67 × at 1,000",
                results,
                None if small is None or large is None else large / small,
                lambda value: value >= 0.67,
            )
        for name, pages in (
            ("inbox", (latency.INBOX,)),
            ("request page", (latency.WORKED_REQUEST, latency.LONG_REQUEST)),
        ):
            line(
                f"SQL statements per {name} ≤ 8 (most, {', '.join(f'{s:,}' for s in sizes)})",
                results,
                _queries(results, pages),
                lambda value: value <= 8,
                "{:.0f}",
            )
        rss = [mb for loads in results.loads.values() for load in loads for mb in load.rss_mb]
        line(
            "worker RSS ≤ 100 MB (largest after any run)",
            results,
            max(rss) if rss else None,
            lambda value: value <= 100,
            "{:.0f} MB",
        )
        if results.backend == "PostgreSQL":
            searches = tuple(f"GET /staff/?q={kind} (search)" for kind in latency.SEARCHES)
            line(
                "search median ≤ 30 ms at 100,000 (slowest of reference, phone, name, words)",
                results,
                _median(results, 100_000, searches),
                lambda value: value <= 30,
                "{:.1f} ms",
            )
            line(
                "reports median ≤ 150 ms at 100,000 (slowest of 12 and 18 months)",
                results,
                _median(results, 100_000, latency.REPORTS),
                lambda value: value <= 150,
                "{:.1f} ms",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=[1_000, 20_000, 100_000])
    parser.add_argument("--duration", default="10s", help="of each wrk run, e.g. 10s or 1m")
    parser.add_argument("--rounds", type=int, default=100, help="of each page for the latency")
    parser.add_argument("--no-throughput", dest="throughput", action="store_false")
    parser.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="leave out where the inbox's and the request page's time goes (page_profile.py)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="a PostgreSQL server to measure on too (its databases pyydaapua_bench_<size>)",
    )
    args = parser.parse_args()
    started = time.perf_counter()

    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.database_url:
        backends.append(("PostgreSQL", args.database_url))
    all_results = []
    bare_server = throughput.bare_server() if args.throughput else nullcontext(("", 0))
    with bare_server as (bare, _):
        for backend, server in backends:
            results = Results(backend)
            all_results.append(results)
            for size in args.sizes:
                with working_copy(size, server) as dataset:
                    print(f"## {backend}, {size:,} requests")
                    print()
                    if dataset.seed_seconds is None:
                        print("Data set reused from an earlier run.")
                    else:
                        print(f"Data set built: seeding took {dataset.seed_seconds:.1f} s.")
                    print()
                    results.latency[size] = latency.measure_pages(dataset, args.rounds)
                    latency.print_table(results.latency[size])
                    print()
                    if args.throughput:
                        results.loads[size] = throughput.measure(dataset, bare + "/", args.duration)
                        print(
                            f"Throughput: wrk -t{throughput.THREADS} -c{throughput.CONNECTIONS} "
                            f"-d{args.duration}, each page after an unmeasured "
                            f"-d{throughput.WARM_UP} run on it, gunicorn -w {throughput.WORKERS} "
                            "-k sync; × bare: the rate over the bare page's (the mean of its runs "
                            "just before and after)."
                        )
                        print()
                        throughput.print_table({f"{backend} {size:,}": results.loads[size]})
                        print()
                    if args.profile and size == min(args.sizes):
                        print(
                            f"Where the time goes ({backend}, {size:,} requests): "
                            "benchmarks/page_profile.py."
                        )
                        print()
                        for found in page_profile.profiles(dataset, args.rounds):
                            page_profile.print_profile(found, _ratio(results, size, found.load))
    print("## Targets")
    print()
    print_summary(all_results)
    print()
    print(f"Benchmark took {(time.perf_counter() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
