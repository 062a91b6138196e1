"""CSV files that open correctly in Excel in a Finnish or Swedish locale.

UTF-8 with a byte order mark (so Excel reads ä and ö right), semicolons between fields (the
list separator where the decimal separator is a comma) and CRLF line ends. A text cell that
starts like a formula is prefixed with an apostrophe, so a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV file's bytes: a header row, then ``rows``; None becomes an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
