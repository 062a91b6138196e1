"""Odd but plausible form values: text in any script with control characters and NULs, huge
and negative numbers, odd dates, and fields that are missing, repeated or unexpected."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from pyydaapua.rules import typed_text
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI

PLAUSIBLE = [
    "",
    " ",
    "Hei",
    "Lapsi ei käy koulussa, en tiedä mitä tehdä.",
    "Vi har flyttat till en ny ort och behöver hjälp.",
    "Aino Äyräpää-Öhman",
    "O'Brien <script>alert(1)</script>",
    "50% _alennus_ \\ %_",
    "=SUM(A1:A2)",
    "Rivi 1\nRivi 2\r\nRivi 3",
    "\tsisennys",
    "😀👨‍👩‍👧 perhe",
    "مرحبا",
    "Привет",
    "\u202eevil\u202c",
    "a\x00b",
    "\x1b[31m",
    "\ufeffBOM",
]
ODD_CHARACTERS = list(
    "\x00\x01\x07\t\n\r\x0b\x0c\x1b\x7f\x85\u00a0\u2028\u2029\u200e\ufeff%_<>&\"' "
)

any_text = st.text(max_size=40)
odd_text = st.text(alphabet=st.sampled_from(ODD_CHARACTERS), max_size=12)
# Thousands of characters without Hypothesis drawing each one: a short piece repeated.
long_text = st.builds(
    lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(300, 1500)
)
text = st.one_of(
    st.sampled_from(PLAUSIBLE),
    any_text,
    odd_text,
    st.builds(lambda a, b: a + b, st.sampled_from(PLAUSIBLE), any_text),
    long_text,
)

ODD_NUMBERS = [
    "",
    " ",
    "0",
    "-0",
    "-1",
    "9" * 30,
    "9" * 400,  # past a float (WTForms' NumberRange raised OverflowError)
    "-" + "9" * 400,
    str(2**31),  # past an INTEGER column (PostgreSQL: integer out of range)
    str(-(2**31) - 1),
    str(2**31 - 1),
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    "1e3",
    "0x1f",
    "١٢",
    "1_000",
    " 5",
    "5.5",
    "NaN",
    "9" * 5000,
]
number = st.one_of(
    st.integers(15, 120).map(str),  # what a person types most often
    st.integers(15, 120).map(str),
    st.integers(-100, 700).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(ODD_NUMBERS),
    any_text,
)


def _finnish_day(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


ODD_DAYS = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "31.12.9999",
    "1.1.1",
    "0.0.0",
    "2026-13-01",
    "30.2.2026",
    "12/9/2026",
    "9.12.26",
    "09.12.2026.",
]
day = st.one_of(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)).map(_finnish_day),
    st.dates(date(2024, 1, 1), date(2027, 12, 31)).map(date.isoformat),
    st.dates().map(date.isoformat),
    st.dates().map(_finnish_day),
    st.sampled_from(ODD_DAYS),
    any_text,
)

ODD_MOMENTS = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2026-02-30T10:00",
    "2026-03-29T03:30",  # does not exist in Helsinki (clocks go forward)
    "2026-10-25T03:30",  # happens twice in Helsinki
    "2026-11-26T25:00",
    "1.1.0001 0.00",
    "31.12.9999 23.59",
    "30.2.2026 10.00",
    "29.3.2026 3.30",  # does not exist in Helsinki (clocks go forward)
    "25.10.2026 3.30",  # happens twice in Helsinki
    "26.11.2026 14:30",
    "26.11.2026 klo 14.30",
    "26.11.2026 24.00",
    "26.11.2026 9.5",
    "11/26/2026 2:30 PM",
    "26.11.2026",
]


def typed(moment: datetime) -> str:
    """A moment as people type it: 26.11.2026 14.30 (rules/typed_dates.py)."""
    return day_and_time_text(moment)


def helsinki_now_text() -> str:
    return typed(datetime.now(HELSINKI))


# Around now in Helsinki, where most real calls and visits are; ``near_past`` only before now.
near_now = st.integers(-3 * 24 * 60, 30 * 24 * 60).map(
    lambda minutes: typed(datetime.now(HELSINKI) + timedelta(minutes=minutes))
)
near_past = st.integers(1, 3 * 24 * 60).map(
    lambda minutes: typed(datetime.now(HELSINKI) - timedelta(minutes=minutes))
)
moment = st.one_of(
    near_now,
    near_now,
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31)).map(typed),
    st.datetimes(datetime(1000, 1, 1)).map(typed),
    # The machine form a browser's date input sends, accepted as well.
    st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M")
    ),
    st.sampled_from(ODD_MOMENTS),
    any_text,
)


def choice(values: list[str] | tuple[str, ...]) -> st.SearchStrategy[str]:
    """Mostly one of ``values``; sometimes something else."""
    return st.one_of(st.sampled_from(list(values)), st.sampled_from(list(values)), any_text)


_SHAPES = ["one"] * 10 + ["missing", "repeated"]


CALM = [
    "Hei",
    "Aino Virtanen",
    "Lapsi ei käy koulussa.\nMitä teemme?",
    "Vi har flyttat.",
    "Perheneuvola",
    "Åbo stad",
    "O'Brien & co",
    "😀",
]
calm_text = st.sampled_from(CALM)


@st.composite
def fields(
    draw: Any,
    spec: dict[str, st.SearchStrategy[str]],
    calm: dict[str, st.SearchStrategy[str]] | None = None,
) -> list[tuple[str, str]]:
    """Form fields after ``spec``: each usually once, sometimes missing or sent two or three
    times; and sometimes a field the form does not know. In a third of the examples the
    fields named in ``calm`` are drawn from their calm strategies, each sent once, so that
    forms with many fields are also accepted now and then."""
    items: list[tuple[str, str]] = []
    calm = calm if calm and draw(st.integers(0, 2)) == 0 else {}
    for name, strategy in spec.items():
        if name in calm:
            items.append((name, draw(calm[name])))
            continue
        shape = draw(st.sampled_from(_SHAPES))
        if shape == "missing":
            continue
        times = 1 if shape == "one" else draw(st.integers(2, 3))
        items.extend((name, draw(strategy)) for _ in range(times))
    items.extend(draw(st.lists(st.tuples(any_text, text), max_size=2)))
    return items


def accepted(value: str | None, multiline: bool) -> str:
    """What a text field keeps of a typed value (``text_rules``): line ends and Unicode
    normalised, surrounding white space off. A missing field is empty."""
    return typed_text.normalise(value or "", multiline).strip()


def shown_again(value: str | None, multiline: bool) -> str:
    """What a refused form shows of a typed value: the accepted text, less the control
    characters that the text rules refuse (offered back for checking)."""
    return typed_text.without_control_characters(accepted(value, multiline), multiline)


def first(items: list[tuple[str, str]], name: str) -> str | None:
    """The first value of ``name``: the one the app takes."""
    return next((value for key, value in items if key == name), None)


def form(token: str, items: list[tuple[str, str]]) -> MultiDict[str, str]:
    """The fields with the CSRF token in front, as a browser would send them."""
    return MultiDict([("csrf_token", token), *items])


htmx = st.sampled_from([{}, {}, {"HX-Request": "true"}])
