"""Rules for text that people type: what is normalised and what is refused.

Plain Python, no Flask. Every text field of every form goes through these rules (see
``pyydaapua/forms.py``), so that what is stored is exactly what was accepted:

- Normalised silently: line ends CRLF and CR become LF (multi-line fields); every text is put
  in Unicode normal form C (an "ä" typed as "a" + a combining diaeresis becomes one "ä").
- Refused with a message: control characters (NUL and the rest of Unicode category Cc) except
  line feed and tab in multi-line fields, none at all in single-line fields; and characters
  that could not be read (invalid UTF-8, decoded as U+FFFD, or lone surrogates).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

UNREADABLE = "\ufffd"
MULTILINE_ALLOWED = frozenset("\n\t")
# Control characters that separate words: shown as a space when the text is offered back.
_SPACING_CONTROLS = frozenset("\t\n\r\v\f\x1c\x1d\x1e\x1f\x85")


@dataclass(frozen=True)
class TextProblem:
    """The first character that cannot be accepted: ``kind`` is "control" or "unreadable",
    ``position`` counts characters from 1."""

    kind: str
    position: int


def normalise(text: str, multiline: bool) -> str:
    """The text as it is stored: LF line ends (multi-line fields), Unicode NFC."""
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _kind(character: str, multiline: bool) -> str | None:
    if multiline and character in MULTILINE_ALLOWED:
        return None
    category = unicodedata.category(character)
    if category == "Cc":
        return "control"
    if character == UNREADABLE or category == "Cs":
        return "unreadable"
    return None


def find_problem(text: str, multiline: bool) -> TextProblem | None:
    """The first character of ``text`` that cannot be accepted, or None."""
    for index, character in enumerate(text):
        kind = _kind(character, multiline)
        if kind is not None:
            return TextProblem(kind, index + 1)
    return None


def without_control_characters(text: str, multiline: bool) -> str:
    """``text`` with the control characters taken out (a space for those that separate
    words), to be offered back for checking. Unreadable characters stay, shown as U+FFFD."""
    kept = []
    for character in text:
        kind = _kind(character, multiline)
        if kind == "control":
            if character in _SPACING_CONTROLS:
                kept.append(" ")
        elif kind == "unreadable":
            kept.append(UNREADABLE)
        else:
            kept.append(character)
    return "".join(kept)


def _decode(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")


def decode_urlencoded(raw: bytes) -> list[tuple[str, str]]:
    """Name-value pairs of a query string or an ``application/x-www-form-urlencoded`` body.

    Bytes that are not valid UTF-8 (raw or percent-encoded) become U+FFFD in the field they
    belong to, so the field can be refused with a message while every other field is kept.
    """
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        pairs.append((_decode(name), _decode(value)))
    return pairs


def like_any(text: str) -> str:
    """``text`` as a LIKE pattern (escape character ``\\``) that matches it anywhere: the
    wildcards ``%`` and ``_`` and the escape character itself are taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def first_name(full_name: str) -> str:
    """The first word of a member of staff's name: how a counsellor signs to the family, who
    see no other staff name."""
    words = full_name.split()
    return words[0] if words else ""
