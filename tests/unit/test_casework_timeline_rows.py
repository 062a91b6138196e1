"""The timeline's entries prepared as plain values (casework/timeline_rows.py): who, what, when
and a call's check-in, in the page's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from pyydaapua.casework.timeline_rows import CheckInAnswer, timeline_rows
from pyydaapua.models import Call, StaffUser, TimelineEvent

AT = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)  # 12.05 in Helsinki


def events() -> list[TimelineEvent]:
    anna = StaffUser(id=1, name="Anna")
    call = Call(
        id=3,
        duration_minutes=2,
        notes="called back",
        coping="some_worries",
        coping_note="tired",
        finances=None,
        daily_life="fine",
        daily_life_note="",
    )
    return [
        TimelineEvent(id=7, at=AT, kind="message_from_family", user=None, note="Kiitos"),
        TimelineEvent(id=6, at=AT, kind="call", value="reached", user=anna, call=call, note=""),
        TimelineEvent(id=5, at=AT, kind="message_to_family", user=anna, note=""),
        TimelineEvent(id=4, at=AT, kind="note", user=anna, note="x"),
    ]


@pytest.mark.parametrize(
    ("lang", "family", "call", "minutes", "coping", "worries", "fine"),
    [
        ("fi", "Perhe", "puhelu", "2 minuuttia", "Miten perhe jaksaa?", "Joitakin huolia", "Hyvin"),
        ("sv", "Familjen", "samtal", "2 minuter", "Hur orkar familjen?", "Vissa bekymmer", "Bra"),
    ],
)
def test_an_entry_in_plain_values(app, lang, family, call, minutes, coping, worries, fine) -> None:
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        from_family, called, to_family, note = timeline_rows(events())
    assert (from_family.who, from_family.family_visible, from_family.note) == (
        family,
        True,
        "Kiitos",
    )
    assert (from_family.at_iso, from_family.at) == (
        "2026-11-23T10:05:00+00:00",
        "23.11.2026 " + ("klo" if lang == "fi" else "kl.") + " 12.05",
    )
    assert to_family.family_visible and not note.family_visible and note.who == "Anna"
    assert called.text.startswith(call + ": ") and called.text.endswith(", " + minutes)
    assert called.call_notes == "called back"
    # Only the questions answered, in their order, each with its step of the scale.
    assert [(a.scale, a.note) for a in called.check_in] == [("some_worries", "tired"), ("fine", "")]
    assert called.check_in[0].label == coping
    assert called.check_in[0].scale_label == worries
    assert called.check_in[1].scale_label == fine
    assert isinstance(called.check_in[0], CheckInAnswer)
    assert note.call_notes == "" and note.check_in == ()
