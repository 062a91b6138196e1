"""What each role may do, in one place.

Views, templates and queries ask for a permission (``permission_required``, ``can``,
``roles_with``), never for a role by name: a change of who may do what is a change of the
table below, and nothing else.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Permission(StrEnum):
    # The inbox, the request page, every casework action and the service search; also who can
    # be given a request or booked for a home visit.
    WORK_REQUESTS = "work_requests"
    # Who has handled a request: the audit list on the request page, the access log and its
    # CSV, everything stored about a request (page and JSON), and the audit log.
    SEE_HANDLERS = "see_handlers"
    # The reports page and its CSV.
    READ_REPORTS = "read_reports"
    # E-mail that was not delivered: the number in the staff menu, the list of failed and
    # uncertain messages (no text, addresses masked) and sending one again.
    UNDELIVERED_MAIL = "undelivered_mail"
    # The staff accounts: create, change, deactivate, set a password, reset the second step.
    MANAGE_ACCOUNTS = "manage_accounts"
    # The service catalogue used for referrals.
    MANAGE_CATALOGUE = "manage_catalogue"
    # Every signed-in user: their own account page, language and password, and signing out.
    OWN_ACCOUNT = "own_account"


# role → what it may do. The roles are those of codes.ROLES; the admin role never sees the
# content of a request.
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "counsellor": frozenset({Permission.WORK_REQUESTS, Permission.OWN_ACCOUNT}),
    "supervisor": frozenset(
        {
            Permission.WORK_REQUESTS,
            Permission.SEE_HANDLERS,
            Permission.READ_REPORTS,
            Permission.UNDELIVERED_MAIL,
            Permission.OWN_ACCOUNT,
        }
    ),
    "admin": frozenset(
        {Permission.MANAGE_ACCOUNTS, Permission.MANAGE_CATALOGUE, Permission.OWN_ACCOUNT}
    ),
}


def role_can(role: str | None, permission: Permission | str) -> bool:
    """Whether ``role`` has ``permission``; an unknown role has none. An unknown permission
    name is an error (ValueError), not a quiet refusal."""
    return Permission(permission) in ROLE_PERMISSIONS.get(role or "", frozenset())


def can(user: Any, permission: Permission | str) -> bool:
    """Whether ``user`` (a StaffUser, or the anonymous user, who may do nothing) has
    ``permission``."""
    return role_can(getattr(user, "role", None), permission)


def roles_with(permission: Permission | str) -> tuple[str, ...]:
    """The roles that have ``permission``, in a stable order, for queries on StaffUser.role."""
    wanted = Permission(permission)
    return tuple(role for role, granted in ROLE_PERMISSIONS.items() if wanted in granted)
