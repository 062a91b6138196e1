"""CSV files that open correctly in Excel in a Finnish (or Swedish) locale.

Excel there expects a semicolon between fields (the comma is the decimal separator), and it
reads a file as UTF-8 only when it starts with a byte order mark. Rows end in CRLF.

``to_csv`` is plain Python; ``csv_response`` wraps its bytes in a download response.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from werkzeug.wrappers import Response

BOM = "\ufeff"
DELIMITER = ";"
# A cell starting with one of these would be taken as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One value as text: None is empty, decimals get a comma, text never starts a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(headers: list[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The table as UTF-8 bytes with a BOM, semicolons and CRLF line ends.

    Values are turned into text by ``cell``: format dates and times before (in the reader's
    time zone and language), pass numbers as numbers.
    """
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([cell(header) for header in headers])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def file_name(title: str, *codes: object) -> str:
    """A download's name: its title in the user's language, in lower case with its words joined
    by hyphens and letters like "ä" kept, then the codes as they are
    ("ensimmäinen-yhteys_2026-01-01_2026-12-31", "vem-har-hanterat_ACDE-FHJK")."""
    words = "-".join(re.sub(r"[^\w-]+", " ", title).lower().split())
    return "_".join([words, *(str(code) for code in codes)])


def content_disposition(filename: str) -> str:
    """An ``attachment`` header value; a non-ASCII name is also given in RFC 5987 form."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename)}"
    return value


def csv_response(filename: str, headers: list[str], rows: Iterable[Sequence[object]]) -> Response:
    """A download of the table as ``filename``."""
    return Response(
        to_csv(headers, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(filename)},
    )
