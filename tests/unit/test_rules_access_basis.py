"""The basis of each access to a request, from the role and the owner at that moment."""

from __future__ import annotations

import pytest

from pyydaapua.rules.access_basis import BASES, access_basis


@pytest.mark.parametrize(
    ("role", "owner", "user", "purpose", "basis"),
    [
        ("counsellor", 7, 7, "", "own"),
        ("supervisor", 7, 7, "", "own"),
        ("counsellor", None, 7, "", "team"),
        ("counsellor", 8, 7, "", "team"),
        ("supervisor", None, 7, "", "supervision"),
        ("supervisor", 8, 7, "", "supervision"),
        ("supervisor", 7, 7, "data_rights", "data_rights"),
        ("admin", None, 3, "", "administration"),
        (None, None, None, "", "administration"),
    ],
)
def test_the_basis_follows_the_role_and_the_owner(role, owner, user, purpose, basis) -> None:
    assert access_basis(role, owner, user, purpose) == basis
    assert basis in BASES
