"""Days and times as people in Finland type them: the one rule of every form. Plain Python.

Every day and time field of every staff and public form is a text field read by this module,
whatever the browser's language, so "9.12.2026 14.30" means the same to everyone:

- A **day** is day.month.year: ``9.12.2026`` or ``09.12.2026`` (leading zeros optional, the
  year in four digits). A dot after the year is forgiven (``9.12.2026.``); spaces around the
  whole text are ignored. Refused: other separators (``12/9/2026``, ``9-12-2026``), a year in
  two digits (``9.12.26``), a missing year (``9.12.``), a day that does not exist
  (``30.2.2026``) and digits other than 0–9.
- A **time** is hours.minutes, the Finnish and Swedish standard ``14.30``; ``14:30`` is
  accepted too, as many type it. The hour has one or two digits (``9.30``, ``09.30``), the
  minutes always two. Refused: ``9.5`` (9.05 or 9.50?), ``930`` and ``14`` (no minutes), seconds,
  ``24.00``.
- A **day and time** is the day, a space (or several), and the time: ``9.12.2026 14.30``. The
  words people write between them are accepted: ``9.12.2026 klo 14.30``, ``9.12.2026 kl. 14.30``.
- The **machine form** a browser's own date input sends (``2026-12-09``, and
  ``2026-12-09T14:30`` for a day and time) is accepted too, exactly in that form: it is what the
  app's own links carry in their URLs (the report period, the audit log's pages) and what a
  page still open from an earlier version sends. It is never shown: a field shows a value given
  in the machine form as a person types it (``show_day``, ``show_day_and_time``).

What is shown is the same form without leading zeros: ``9.12.2026``, ``9.05``,
``9.12.2026 14.30``; it is read back to the same value. Whether a day is in the range the
service accepts is ``times.day_in_range``; the time zone (Helsinki) is the caller's.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

# [0-9], not \d: \d matches every script's digits, and int() reads them.
_DAY = r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4})\.?"
_TIME = r"(?P<hour>[0-9]{1,2})[.:](?P<minute>[0-9]{2})"
_DAY_RE = re.compile(_DAY)
_TIME_RE = re.compile(_TIME)
_DAY_AND_TIME_RE = re.compile(_DAY + r"\s+(?:(?:klo|kl)\.?\s+)?" + _TIME, re.IGNORECASE)
_MACHINE_DAY_RE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_MACHINE_DAY_AND_TIME_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
)


def _day(match: re.Match[str]) -> date | None:
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def _time(match: re.Match[str]) -> time | None:
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _day_and_time(match: re.Match[str]) -> datetime | None:
    day, clock = _day(match), _time(match)
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock)


def parse_day(text: str) -> date | None:
    """The day of ``9.12.2026`` (or the machine form ``2026-12-09``); None if it is not one."""
    text = text.strip()
    match = _DAY_RE.fullmatch(text) or _MACHINE_DAY_RE.fullmatch(text)
    return _day(match) if match else None


def parse_time(text: str) -> time | None:
    """The time of ``14.30`` or ``14:30``; None if it is not one."""
    match = _TIME_RE.fullmatch(text.strip())
    return _time(match) if match else None


def parse_day_and_time(text: str) -> datetime | None:
    """The naive moment of ``9.12.2026 14.30`` (or the machine form ``2026-12-09T14:30``);
    None if it is not one."""
    text = text.strip()
    match = _DAY_AND_TIME_RE.fullmatch(text) or _MACHINE_DAY_AND_TIME_RE.fullmatch(text)
    return _day_and_time(match) if match else None


def is_machine_form(text: str) -> bool:
    """True for the machine form (``2026-12-09``, ``2026-12-09T14:30``), which is accepted but
    shown as a person types it."""
    text = text.strip()
    return bool(_MACHINE_DAY_RE.fullmatch(text) or _MACHINE_DAY_AND_TIME_RE.fullmatch(text))


def day_text(day: date) -> str:
    """A day as it is typed and shown: ``9.12.2026``."""
    return f"{day.day}.{day.month}.{day.year:04d}"


def time_text(clock: time) -> str:
    """A time as it is typed and shown: ``9.05``, ``14.30``."""
    return f"{clock.hour}.{clock.minute:02d}"


def day_and_time_text(moment: datetime) -> str:
    """A day and time as it is typed and shown: ``9.12.2026 14.30``."""
    return f"{day_text(moment.date())} {time_text(moment.time())}"


def show_day(text: str) -> str:
    """What a day field shows for ``text``: the machine form as a person types it, anything
    else exactly as it was typed."""
    day = parse_day(text) if is_machine_form(text) else None
    return day_text(day) if day else text


def show_day_and_time(text: str) -> str:
    """What a day-and-time field shows for ``text``: the machine form as a person types it,
    anything else exactly as it was typed."""
    moment = parse_day_and_time(text) if is_machine_form(text) else None
    return day_and_time_text(moment) if moment else text
