"""The timeline's entries as plain values: every text of an entry made in Python, once per
entry, with the page language's words, labels and formatters made once per language and
process. ``_timeline.html`` writes each value out as it is, without a macro, a filter or a
translation look-up per entry (a timeline of 60 entries had some 300 of them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from pyydaapua.casework.actions import TIMELINE_TEXTS
from pyydaapua.casework.changes import CallShown, TimelineEntry
from pyydaapua.casework.words import page_words
from pyydaapua.web import i18n

# The kinds of entry the family sees too (on their status page): marked on the timeline.
FAMILY_VISIBLE = frozenset({"message_to_family", "message_from_family"})
CHECK_IN_KEYS = ("coping", "finances", "daily_life")


@dataclass(frozen=True, slots=True)
class CheckInAnswer:
    """One answer of a call's check-in: the question, the scale's step and its words."""

    label: str
    scale: str
    scale_label: str
    note: str


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """What one entry shows, ready to be written out (the template escapes every value)."""

    id: int
    family_visible: bool
    at_iso: str
    at: str
    who: str
    text: str
    call_notes: str  # a call's check-in (``_check_in.html`` shows the same for the export)
    check_in: tuple[CheckInAnswer, ...]
    note: str


def timeline_rows(events: Sequence[TimelineEntry]) -> list[TimelineRow]:
    """The entries of ``events`` (the request page's ``Entry`` values, or the family's export's
    ``TimelineEvent`` objects), in their order, in the page's language."""
    words = page_words()
    moment = words.moment
    check_in_labels = words.labels["check_in_labels"]
    scale_labels = words.labels["scale_labels"]
    rows = []
    for event in events:
        call_notes, check_in = "", cast(tuple[CheckInAnswer, ...], ())
        if event.kind == "call" and event.call is not None:
            call_notes, check_in = _check_in(event.call, check_in_labels, scale_labels)
        if event.user is not None:
            who = event.user.name
        else:
            who = words.the_family if event.kind == "message_from_family" else ""
        rows.append(
            TimelineRow(
                id=event.id,
                family_visible=event.kind in FAMILY_VISIBLE,
                at_iso=i18n.machine_time(event.at),
                at=moment(event.at),
                who=who,
                text=TIMELINE_TEXTS[event.kind](event, words),
                call_notes=call_notes,
                check_in=check_in,
                note=event.note or "",
            )
        )
    return rows


def _check_in(
    call: CallShown, check_in_labels: dict[str, str], scale_labels: dict[str, str]
) -> tuple[str, tuple[CheckInAnswer, ...]]:
    """A call's notes and the answers of its check-in, as ``_check_in.html`` shows them."""
    answers = []
    for key in CHECK_IN_KEYS:
        scale = getattr(call, key)
        if scale:
            answers.append(
                CheckInAnswer(
                    label=check_in_labels[key],
                    scale=str(scale),
                    scale_label=scale_labels[scale],
                    note=getattr(call, key + "_note") or "",
                )
            )
    return call.notes or "", tuple(answers)
