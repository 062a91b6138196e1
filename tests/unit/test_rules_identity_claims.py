"""The identity provider's claims as our rules: roles from groups, MFA, local sign-in."""

from __future__ import annotations

import pytest

from pyydaapua.rules.identity_claims import (
    claimed_groups,
    local_sign_in_allowed,
    mfa_asserted,
    parse_role_map,
    role_for,
)

MAPPING = {"fc-counsellors": "counsellor", "fc-leads": "supervisor", "it-admins": "admin"}


def test_the_role_map_is_read_from_pairs() -> None:
    text = " fc-counsellors = counsellor ;fc-leads=supervisor\nit-admins=admin;; "
    assert parse_role_map(text) == MAPPING


def test_a_group_may_hold_an_equals_sign() -> None:
    assert parse_role_map("CN=leads,OU=fc=supervisor") == {"CN=leads,OU=fc": "supervisor"}


@pytest.mark.parametrize("text", ["fc-leads", "=counsellor", "fc-leads=boss", "a=counsellor;b"])
def test_a_mistyped_role_map_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_role_map(text)


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["fc-counsellors"], "counsellor"),
        (["other", "fc-leads"], "supervisor"),
        (["fc-counsellors", "fc-leads"], "supervisor"),
        (["it-admins", "fc-counsellors"], "counsellor"),
        (["it-admins"], "admin"),
        (["other"], None),
        ([], None),
    ],
)
def test_the_role_comes_from_the_mapped_groups(groups: list[str], role: str | None) -> None:
    assert role_for(groups, MAPPING) == role


@pytest.mark.parametrize(
    ("claims", "groups"),
    [
        ({"groups": ["a", "b"]}, ["a", "b"]),
        ({"groups": "a"}, ["a"]),
        ({"groups": ["a", 3, None]}, ["a"]),
        ({"groups": {"a": 1}}, []),
        ({}, []),
    ],
)
def test_groups_are_read_from_the_claim(claims: dict, groups: list[str]) -> None:
    assert claimed_groups(claims, "groups") == groups


@pytest.mark.parametrize(
    ("claims", "asserted"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": "mfa"}, False),  # amr is a list by the standard; a string is not trusted
        ({"acr": "urn:city:mfa"}, True),
        ({"acr": "urn:city:pwd"}, False),
        ({}, False),
    ],
)
def test_multi_factor_is_what_amr_or_acr_asserts(claims: dict, asserted: bool) -> None:
    assert mfa_asserted(claims, ["mfa", "otp"], ["urn:city:mfa"]) is asserted


@pytest.mark.parametrize(
    ("mode", "manages_accounts", "allowed"),
    [
        ("on", False, True),
        ("admins", True, True),
        ("admins", False, False),
        ("off", True, False),
    ],
)
def test_local_sign_in_follows_the_setting(
    mode: str, manages_accounts: bool, allowed: bool
) -> None:
    assert local_sign_in_allowed(mode, manages_accounts) is allowed
