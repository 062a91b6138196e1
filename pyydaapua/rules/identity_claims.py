"""What the city's identity provider says about a person, read as this service's rules: the
role from the groups claim, whether multi-factor authentication was asserted, and who may use
the local password sign-in. Plain Python, no Flask.

The mapping from the provider's group values to our roles is a setting (``OIDC_ROLE_MAP``):
``"group=role"`` pairs separated by ``;`` or new lines. A person in several mapped groups gets
the role that comes first in ``codes.SSO_ROLE_PRECEDENCE`` (a supervisor who is also in the
administrators' group works as a supervisor); a person in none gets no role and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyydaapua.rules.codes import ROLES, SSO_ROLE_PRECEDENCE

# Who may sign in with a password of ours when single sign-on is configured (LOCAL_SIGN_IN).
LOCAL_SIGN_IN_MODES = ("on", "admins", "off")


def parse_role_map(text: str) -> dict[str, str]:
    """``"city-fc-counsellors=counsellor; city-fc-leads=supervisor"`` → a mapping from group
    values to roles. A pair without ``=``, an empty group or an unknown role is a ValueError
    naming it, so that a mistyped setting stops the start rather than refusing everyone."""
    mapping: dict[str, str] = {}
    for raw in text.replace("\n", ";").split(";"):
        pair = raw.strip()
        if not pair:
            continue
        group, sep, role = (part.strip() for part in pair.rpartition("="))
        if not sep or not group:
            raise ValueError(f"{pair!r} is not group=role")
        if role not in ROLES:
            raise ValueError(f"{role!r} is not a role (one of {', '.join(ROLES)})")
        mapping[group] = role
    return mapping


def claimed_groups(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The group values of ``claim`` in the ID token's claims: a list of strings, a single
    string, or nothing (no claim, or a value of another type)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def role_for(groups: Iterable[str], mapping: Mapping[str, str]) -> str | None:
    """The role these groups give, or None when no group is mapped."""
    roles = {mapping[group] for group in groups if group in mapping}
    return next((role for role in SSO_ROLE_PRECEDENCE if role in roles), None)


def mfa_asserted(
    claims: Mapping[str, Any], amr_values: Iterable[str], acr_values: Iterable[str]
) -> bool:
    """Whether the ID token asserts multi-factor authentication: one of ``amr_values`` in its
    ``amr`` claim, or its ``acr`` among ``acr_values``."""
    amr = claims.get("amr")
    methods = set(amr) if isinstance(amr, list) else set()
    return bool(methods & set(amr_values)) or claims.get("acr") in set(acr_values)


def local_sign_in_allowed(mode: str, manages_accounts: bool) -> bool:
    """Whether an account may sign in with a password of ours: always ("on"), only those who
    manage the accounts, as the way in when the provider fails ("admins"), or never ("off")."""
    if mode == "on":
        return True
    return mode == "admins" and manages_accounts
