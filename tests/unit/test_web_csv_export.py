"""CSV for Excel in a Finnish locale: BOM, semicolons, CRLF, no formulas."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from pyydaapua.web.csv_export import content_disposition, csv_response, to_csv


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_bom_semicolons_and_crlf() -> None:
    data = to_csv(["Aika", "Käsittelijä"], [("1.3.2026 23.30", "Åsa Öberg"), ("x", "y")])
    assert data == "\ufeffAika;Käsittelijä\r\n1.3.2026 23.30;Åsa Öberg\r\nx;y\r\n".encode()
    assert parse(data) == [["Aika", "Käsittelijä"], ["1.3.2026 23.30", "Åsa Öberg"], ["x", "y"]]


def test_values_with_separators_quotes_and_line_breaks_survive() -> None:
    rows = [("a;b", 'sanoi "hei"', "rivi\nrivi")]
    assert parse(to_csv(["1", "2", "3"], rows))[1] == ["a;b", 'sanoi "hei"', "rivi\nrivi"]


def test_numbers_none_and_decimal_comma() -> None:
    assert parse(to_csv(["n"], [(12, None, 1.5, Decimal("2.25"), True, False, -3)]))[1] == [
        "12",
        "",
        "1,5",
        "2,25",
        "1",
        "0",
        "-3",
    ]


def test_text_never_starts_a_formula() -> None:
    row = ('=HYPERLINK("x")', "+1", "-a", "@SUM(A1)", "ok")
    assert parse(to_csv(["h"], [row]))[1] == [
        '\'=HYPERLINK("x")',
        "'+1",
        "'-a",
        "'@SUM(A1)",
        "ok",
    ]


def test_download_response() -> None:
    response = csv_response("loki-ACDE-FHJK.csv", ["a"], [("b",)])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="loki-ACDE-FHJK.csv"'
    assert response.get_data() == b"\xef\xbb\xbfa\r\nb\r\n"
    assert content_disposition("käyttö.csv") == (
        "attachment; filename=\"k?ytt?.csv\"; filename*=UTF-8''k%C3%A4ytt%C3%B6.csv"
    )
    # A quote cannot end the quoted name early: it is left out there.
    assert content_disposition('a"b.csv') == (
        "attachment; filename=\"ab.csv\"; filename*=UTF-8''a%22b.csv"
    )


def test_a_file_is_named_in_the_users_words_with_its_codes_as_they_are() -> None:
    from pyydaapua.web.csv_export import file_name

    assert file_name("Ensimmäinen yhteys", "2026-01-01", "2026-12-31") == (
        "ensimmäinen-yhteys_2026-01-01_2026-12-31"
    )
    assert file_name("Vem har hanterat", "ACDE-FHJK") == "vem-har-hanterat_ACDE-FHJK"
    assert file_name("Aiheet: jaksolla / kk") == "aiheet-jaksolla-kk"
