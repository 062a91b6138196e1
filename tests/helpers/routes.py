"""Every staff route with the answer each role gets, for the route × role walk and the HTML
checker."""

from __future__ import annotations

from pyydaapua.casework.actions import ACTIONS


def answers(anonymous: int, worker: int, admin: int) -> dict[str, int]:
    """Counsellors and supervisors work requests alike (a team inbox)."""
    return {"anonymous": anonymous, "counsellor": worker, "supervisor": worker, "admin": admin}


def supervisor_only(status: int) -> dict[str, int]:
    """Reports and the family's data rights: the supervisor's alone."""
    return {"anonymous": 302, "counsellor": 403, "supervisor": status, "admin": 403}


# Every staff route, with the answer each role gets. A new staff route must be added here.
# Request actions are posted with only a valid version: 303 where that is a whole change,
# 422 where the form needs more. The admin role never reaches a help request.
ROUTES = {
    ("GET", "/staff/login"): answers(200, 302, 302),
    ("POST", "/staff/login"): answers(422, 302, 302),
    # Single sign-on: not found unless OIDC_ISSUER is set (test_accounts_single_sign_on.py).
    ("GET", "/staff/sso"): answers(404, 404, 404),
    ("GET", "/staff/sso/callback"): answers(404, 404, 404),
    ("POST", "/staff/sso/logout"): answers(404, 404, 404),
    ("GET", "/staff/login/code"): answers(302, 302, 302),
    ("POST", "/staff/login/code"): answers(303, 302, 302),
    ("GET", "/staff/login/enrol"): answers(302, 302, 302),
    ("POST", "/staff/login/enrol"): answers(303, 302, 302),
    ("GET", "/staff/"): answers(302, 200, 403),
    ("POST", "/staff/inbox/panels"): answers(302, 303, 403),
    ("GET", "/staff/account"): answers(302, 200, 200),
    ("POST", "/staff/account/language"): answers(302, 303, 303),
    ("POST", "/staff/logout"): answers(302, 303, 303),
    ("GET", "/staff/session"): answers(302, 200, 200),
    ("POST", "/staff/session"): answers(302, 303, 303),
    ("GET", "/staff/requests/<int:request_id>"): answers(302, 200, 403),
    ("POST", "/staff/requests/<int:request_id>/take"): answers(302, 303, 403),
    ("GET", "/staff/services/options"): answers(302, 200, 403),
    ("GET", "/staff/inbox/new"): answers(302, 200, 403),
    ("GET", "/staff/inbox/next/<int:request_id>"): answers(302, 303, 403),
    ("GET", "/staff/calls/today"): answers(302, 200, 403),
    ("GET", "/staff/reports"): supervisor_only(200),
    ("GET", "/staff/reports.csv"): supervisor_only(200),
    ("GET", "/staff/audit"): supervisor_only(200),
    ("GET", "/staff/audit/review"): supervisor_only(200),
    ("GET", "/staff/access-log"): supervisor_only(200),
    ("GET", "/staff/access-log.csv"): supervisor_only(200),
    ("GET", "/staff/requests/<int:request_id>/export"): supervisor_only(200),
    ("GET", "/staff/requests/<int:request_id>/export.json"): supervisor_only(200),
    ("GET", "/staff/mail"): supervisor_only(200),
    ("POST", "/staff/mail/<int:message_id>/send-again"): supervisor_only(303),
    ("GET", "/staff/account/password"): answers(302, 200, 200),
    ("POST", "/staff/account/password"): answers(302, 303, 303),
    ("GET", "/staff/admin/users"): answers(302, 403, 200),
    ("GET", "/staff/admin/users/new"): answers(302, 403, 200),
    ("POST", "/staff/admin/users/new"): answers(302, 403, 303),
    ("GET", "/staff/admin/users/<int:user_id>"): answers(302, 403, 200),
    ("POST", "/staff/admin/users/<int:user_id>"): answers(302, 403, 303),
    ("POST", "/staff/admin/users/<int:user_id>/active"): answers(302, 403, 303),
    ("POST", "/staff/admin/users/<int:user_id>/password"): answers(302, 403, 303),
    ("POST", "/staff/admin/users/<int:user_id>/two-factor"): answers(302, 403, 303),
    ("GET", "/staff/admin/services"): answers(302, 403, 200),
    ("GET", "/staff/admin/services/new"): answers(302, 403, 200),
    ("POST", "/staff/admin/services/new"): answers(302, 403, 303),
    ("GET", "/staff/admin/services/<int:service_id>"): answers(302, 403, 200),
    ("POST", "/staff/admin/services/<int:service_id>"): answers(302, 403, 303),
    # Every casework action, from its registry, posted with only a valid version.
    **{("POST", "/staff" + action.rule): answers(302, 422, 403) for action in ACTIONS.values()},
    # The quick call needs nothing more: reached, all fine.
    ("POST", "/staff/requests/<int:request_id>/calls/all-fine"): answers(302, 303, 403),
}


# Posted by the identity provider, server to server: no CSRF token, a signed logout token instead.
CSRF_EXEMPT = {("POST", "/staff/sso/logout")}


def concrete(path: str, ids: dict[str, int | str]) -> str:
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return path
