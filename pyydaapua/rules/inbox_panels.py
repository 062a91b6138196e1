"""The inbox's folding panels (the filters, the upcoming home visits): which ones a member of
staff keeps open, stored with their account as comma-separated names (``inbox_panels``).

Both are folded until the user opens them, so that the first requests are on the first screen.
"""

from __future__ import annotations

PANELS = ("filters", "visits")


def open_panels(stored: str) -> frozenset[str]:
    """The panels kept open; names that are no panel (any more) are left out."""
    return frozenset(name for name in stored.split(",") if name in PANELS)


def with_panel(stored: str, name: str, is_open: bool) -> str:
    """The stored value after ``name`` was opened or folded, in ``PANELS`` order; ValueError
    for a name that is no panel."""
    if name not in PANELS:
        raise ValueError(name)
    kept = set(open_panels(stored)) - {name}
    if is_open:
        kept.add(name)
    return ",".join(panel for panel in PANELS if panel in kept)
