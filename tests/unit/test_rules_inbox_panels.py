"""The inbox's panels a member of staff keeps open, as stored with the account."""

from __future__ import annotations

import pytest

from pyydaapua.rules.inbox_panels import PANELS, open_panels, with_panel


def test_both_panels_are_folded_until_opened() -> None:
    assert open_panels("") == frozenset()
    assert with_panel("", "visits", True) == "visits"
    assert with_panel("visits", "filters", True) == "filters,visits"
    assert open_panels("filters,visits") == frozenset(PANELS)


def test_folding_keeps_the_other_panel_and_is_idempotent() -> None:
    assert with_panel("filters,visits", "filters", False) == "visits"
    assert with_panel("visits", "filters", False) == "visits"
    assert with_panel("filters", "filters", True) == "filters"


def test_names_that_are_no_panel_are_refused_and_never_kept() -> None:
    with pytest.raises(ValueError):
        with_panel("", "search", True)
    assert open_panels("old,visits,,filters") == frozenset({"visits", "filters"})
    assert with_panel("old,visits", "filters", True) == "filters,visits"


def test_the_stored_value_fits_the_column() -> None:
    everything = ",".join(PANELS)
    assert with_panel(everything, PANELS[0], True) == everything
    assert len(everything) <= 64
