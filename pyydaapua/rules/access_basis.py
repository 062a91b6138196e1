"""On what basis a member of staff read or changed a family's request (Client Data Act
703/2023, §11: the access log shows the basis of each use). Derived from the person's role and
the request's owner at that moment, never typed. Plain Python, no Flask.

- ``own``: the request is the person's own (they are its owner);
- ``team``: team duty, through the shared inbox: a counsellor with a request they do not own;
- ``supervision``: a supervisor with a request they do not own;
- ``data_rights``: the family's own request to see what is stored about them (the export);
- ``administration``: an administrator, or the service itself with no person (retention).
"""

from __future__ import annotations

from pyydaapua.rules.codes import ROLE_ACCESS_BASIS

BASES = ("own", "team", "supervision", "data_rights", "administration")
# Why an event was written, where that decides the basis whatever the role.
DATA_RIGHTS = "data_rights"


def access_basis(
    role: str | None, owner_id: int | None, user_id: int | None, purpose: str = ""
) -> str:
    """The basis of one access to a request by ``user_id`` (None: the service itself)."""
    if purpose == DATA_RIGHTS:
        return "data_rights"
    basis = ROLE_ACCESS_BASIS.get(role or "", "administration") if user_id else "administration"
    if basis != "administration" and owner_id is not None and owner_id == user_id:
        return "own"
    return basis
