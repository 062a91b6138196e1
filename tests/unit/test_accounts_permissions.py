"""Who may do what: the one table of role → permissions, and no role names anywhere else."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from pyydaapua.accounts.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can,
    role_can,
    roles_with,
)
from pyydaapua.rules.codes import ROLES

ROOT = Path(__file__).resolve().parents[2]
EVERYTHING = frozenset(Permission)


def test_the_table_has_exactly_the_roles() -> None:
    assert set(ROLE_PERMISSIONS) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_its_own_account(role: str) -> None:
    assert Permission.OWN_ACCOUNT in ROLE_PERMISSIONS[role]


def test_every_permission_is_granted_to_some_role() -> None:
    granted = frozenset().union(*ROLE_PERMISSIONS.values())
    assert granted == EVERYTHING


def test_counsellor_works_requests_and_nothing_more() -> None:
    assert ROLE_PERMISSIONS["counsellor"] == {Permission.WORK_REQUESTS, Permission.OWN_ACCOUNT}
    assert not role_can("counsellor", Permission.READ_REPORTS)
    assert not role_can("counsellor", Permission.SEE_HANDLERS)


def test_supervisor_can_everything_but_manage_accounts_and_the_catalogue() -> None:
    assert ROLE_PERMISSIONS["supervisor"] == EVERYTHING - {
        Permission.MANAGE_ACCOUNTS,
        Permission.MANAGE_CATALOGUE,
    }


def test_admin_never_reaches_a_request() -> None:
    assert ROLE_PERMISSIONS["admin"] == {
        Permission.MANAGE_ACCOUNTS,
        Permission.MANAGE_CATALOGUE,
        Permission.OWN_ACCOUNT,
    }
    for permission in (Permission.WORK_REQUESTS, Permission.SEE_HANDLERS, Permission.READ_REPORTS):
        assert not role_can("admin", permission)


def test_roles_with_a_permission() -> None:
    assert roles_with(Permission.WORK_REQUESTS) == ("counsellor", "supervisor")
    assert roles_with("manage_accounts") == ("admin",)
    assert roles_with(Permission.OWN_ACCOUNT) == ROLES


def test_can_asks_the_users_role() -> None:
    assert can(SimpleNamespace(role="supervisor"), "read_reports")
    assert can(SimpleNamespace(role="admin"), Permission.MANAGE_CATALOGUE)
    assert not can(SimpleNamespace(role="admin"), Permission.WORK_REQUESTS)


def test_anonymous_and_unknown_roles_may_do_nothing() -> None:
    anonymous = SimpleNamespace()  # Flask-Login's anonymous user has no role
    for permission in Permission:
        assert not can(anonymous, permission)
        assert not can(SimpleNamespace(role="janitor"), permission)
        assert not can(SimpleNamespace(role=None), permission)


def test_an_unknown_permission_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="read_report"):
        can(SimpleNamespace(role="supervisor"), "read_report")


# Where role names may be written out: the table itself, the list of roles, their labels, the
# demo data and the command line.
ALLOWED = {
    "pyydaapua/accounts/permissions.py",
    "pyydaapua/rules/codes.py",
    "pyydaapua/web/labels.py",
    "pyydaapua/tools/demo.py",
    "pyydaapua/tools/cli.py",
}
NAMES = "|".join(map(re.escape, ROLES))
ROLE_NAME = re.compile(rf"""(["'])(?:{NAMES})\1""")
ROLE_CHECK = re.compile(r"\.role\s*(?:==|!=)|\.role\s+(?:not\s+)?in\b")


def checked_files() -> list[Path]:
    files = [*(ROOT / "pyydaapua").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    return sorted(f for f in files if f.relative_to(ROOT).as_posix() not in ALLOWED)


def role_checks(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if ROLE_NAME.search(line) or ROLE_CHECK.search(line)
    ]


def test_the_search_finds_role_checks() -> None:
    for line in (
        '{% if current_user.role == "supervisor" %}',
        "if current_user.role != 'admin':",
        "if user.role not in WORKERS:",
        'roles_required("counsellor")',
        'SUPERVISOR = "supervisor"',
    ):
        assert role_checks(line), line
    for line in (
        "{{ role_labels[current_user.role] }}",
        "StaffUser.role.in_(roles_with(Permission.WORK_REQUESTS))",
        "url_for('accounts.admin_users')",
        '{% if can("read_reports") %}',
    ):
        assert not role_checks(line), line


def test_no_role_names_outside_the_permissions_table() -> None:
    files = checked_files()
    assert any(f.name == "base.html" for f in files)  # the templates are searched too
    found = {
        f.relative_to(ROOT).as_posix(): lines
        for f in files
        if (lines := role_checks(f.read_text(encoding="utf-8")))
    }
    assert found == {}, "ask for a Permission (pyydaapua/accounts/permissions.py) instead"
