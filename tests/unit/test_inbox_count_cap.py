"""The rules of a search's capped counts: which status filters are past the cap, and how many
pages a capped list has."""

from __future__ import annotations

import pytest

from pyydaapua.inbox import queries


@pytest.mark.parametrize(
    ("new", "in_progress", "waiting", "closed", "past"),
    [
        (5, 5, 5, 10, set()),  # the sums (15, 25) are past the cap, but exact
        (0, 0, 0, 11, {"closed", "all"}),
        (11, 0, 3, 0, {"new", "open", "all"}),
        (10, 1, 0, 0, set()),
        (11, 0, 0, 11, {"new", "open", "closed", "all"}),
    ],
)
def test_a_status_past_the_cap_makes_its_sums_past_it(
    new: int, in_progress: int, waiting: int, closed: int, past: set[str]
) -> None:
    """Each status counted up to the cap + 1 (10 here): a status past it makes "open" (when it
    is open) and "all" past it; sums of exact counts stay exact, however large."""
    counted = {"new": new, "in_progress": in_progress, "waiting": waiting, "closed": closed}
    assert queries.capped_filters(counted, 10) == past


def test_a_capped_list_has_a_page_more_while_rows_remain() -> None:
    assert queries.ListPage([], 1001, 3, 50, capped=True, more=True).pages == 4
    assert queries.ListPage([], 1001, 3, 50, capped=True, more=False).pages == 3
    assert queries.ListPage([], 1001, 3, 50).pages == 21
