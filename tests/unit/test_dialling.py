"""The family centre's number as a tel: link."""

from __future__ import annotations

import pytest

from pyydaapua.rules.dialling import tel_uri


@pytest.mark.parametrize(
    ("shown", "uri"),
    [
        ("09 310 12345", "tel:+358931012345"),
        ("08 558 45 000", "tel:+358855845000"),
        ("+358 40 123 4567", "tel:+358401234567"),
        ("(09) 310-12345", "tel:+358931012345"),
        ("116 111", "tel:116111"),  # a service number: dialled as written
    ],
)
def test_tel_uri(shown: str, uri: str) -> None:
    assert tel_uri(shown) == uri
