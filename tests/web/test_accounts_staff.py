"""Staff sign-in, sessions, roles on every route, the account page and the inbox."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pyydaapua.casework.actions import ACTIONS
from pyydaapua.database import db
from pyydaapua.models import AuditEvent, StaffUser
from tests.helpers.app import PRODUCTION, assert_cli_error
from tests.helpers.forms import csrf_token
from tests.helpers.routes import CSRF_EXEMPT, ROUTES, concrete
from tests.helpers.staff import STAFF_PASSWORD, make_staff, sign_in


def audit_actions(app) -> list[tuple[str, int | None]]:
    with app.app_context():
        return [
            (e.action, e.user_id)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


NEW_PASSWORD = {
    "new_password": "a brand new password",
    "new_password_again": "a brand new password",
}
SERVICE = {"name_fi": "Palvelu", "name_sv": "Tjänst", "provider_type": "city", "active": "y"}
FORM_DATA = {
    "/staff/account/language": {"language": "sv"},
    "/staff/inbox/panels": {"panel": "filters", "open": "1"},
    "/staff/account/password": {"current_password": STAFF_PASSWORD, **NEW_PASSWORD},
    "/staff/admin/users/new": {
        "email": "new-user@example.fi",
        "name": "New User",
        "role": "counsellor",
        "language": "fi",
        **NEW_PASSWORD,
    },
    "/staff/admin/users/<int:user_id>": {"name": "Renamed", "role": "supervisor", "language": "sv"},
    "/staff/admin/users/<int:user_id>/active": {"action": "deactivate"},
    "/staff/admin/users/<int:user_id>/password": NEW_PASSWORD,
    "/staff/admin/services/new": SERVICE,
    "/staff/admin/services/<int:service_id>": SERVICE,
}
QUERY = {
    "/staff/reports.csv": "?table=months",
    "/staff/access-log": "?reference=<reference>",
    "/staff/access-log.csv": "?reference=<reference>",
}


def test_every_staff_route_is_in_the_table(app) -> None:
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == set(ROUTES)


@pytest.mark.parametrize("role", ["anonymous", "counsellor", "supervisor", "admin"])
@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_every_route_with_every_role(app, staff_client, worked_request, role, method, path) -> None:
    client = app.test_client() if role == "anonymous" else staff_client(role)
    data = dict(FORM_DATA.get(path, {}))
    if method == "POST":
        data["csrf_token"] = csrf_token(client)
        for name in ACTIONS:
            data[f"{name}-version"] = worked_request["version"]
    url = concrete(path + QUERY.get(path, ""), worked_request)
    response = client.open(url, method=method, data=data)
    expected = ROUTES[(method, path)][role]
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if role == "anonymous" and expected == 302:
        assert response.headers["Location"].startswith("/staff/login")
    if expected == 403:
        assert ("access_refused", None) not in audit_actions(app)
        assert audit_actions(app)[-1][0] == "access_refused"


@pytest.mark.parametrize(
    ("method", "path"), [key for key in ROUTES if key[0] == "POST" and key not in CSRF_EXEMPT]
)
def test_csrf_is_required_on_every_state_change(
    app, staff_client, worked_request, method, path
) -> None:
    client = staff_client("counsellor")
    response = client.open(
        concrete(path, worked_request), method=method, data=FORM_DATA.get(path, {})
    )
    assert response.status_code == 400


def test_anonymous_visitor_is_sent_to_sign_in_and_back(app) -> None:
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    response = client.get("/staff/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/?page%3D2"
    signed_in = sign_in(client, email, next="/staff/?page=2")
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/staff/?page=2"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_sign_in_returns_only_to_local_urls(app, target) -> None:
    _, email = make_staff(app, "counsellor")
    response = sign_in(app.test_client(), email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


# The staff menu shows the pages a role may open, and no other.
MENU = {
    "counsellor": ["/staff/", "/staff/calls/today", "/staff/account"],
    "supervisor": [
        "/staff/",
        "/staff/calls/today",
        "/staff/reports",
        "/staff/audit",
        "/staff/access-log",
        "/staff/mail",
        "/staff/account",
    ],
    "admin": ["/staff/admin/users", "/staff/admin/services", "/staff/account"],
}


@pytest.mark.parametrize("role", list(MENU))
def test_the_menu_follows_the_permissions(staff_client, role) -> None:
    page = staff_client(role).get("/staff/account").get_data(as_text=True)
    menu = re.search(r'<nav class="staff-nav".*?</nav>', page, re.S)
    assert menu is not None
    assert re.findall(r'<a href="([^"]+)"', menu.group()) == MENU[role]


def test_admin_lands_on_the_staff_accounts(app) -> None:
    _, email = make_staff(app, "admin")
    assert sign_in(app.test_client(), email).headers["Location"] == "/staff/admin/users"


def test_the_landing_page_follows_the_permissions(app, monkeypatch) -> None:
    """The inbox for whoever works requests, else the staff accounts for whoever manages them,
    else the user's own account."""
    from pyydaapua.accounts.permissions import ROLE_PERMISSIONS, Permission

    _, email = make_staff(app, "supervisor")
    landing = {
        frozenset({Permission.OWN_ACCOUNT, Permission.MANAGE_ACCOUNTS}): "/staff/admin/users",
        frozenset({Permission.OWN_ACCOUNT, Permission.WORK_REQUESTS}): "/staff/",
        frozenset(Permission): "/staff/",
        frozenset({Permission.OWN_ACCOUNT, Permission.READ_REPORTS}): "/staff/account",
    }
    for granted, target in landing.items():
        monkeypatch.setitem(ROLE_PERMISSIONS, "supervisor", granted)
        assert sign_in(app.test_client(), email).headers["Location"] == target


def test_failed_sign_in_is_generic_and_audited(app) -> None:
    user_id, email = make_staff(app, "counsellor")
    wrong_password = sign_in(app.test_client(), email, password="wrong password!")
    unknown_email = sign_in(app.test_client(), "nobody@example.fi")
    assert wrong_password.status_code == unknown_email.status_code == 401
    message = "Sähköpostiosoite tai salasana ei ole oikein."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)
    assert 'value="wrong password!"' not in wrong_password.get_data(as_text=True)
    assert audit_actions(app) == [("sign_in_failed", user_id), ("sign_in_failed", None)]


def test_sign_in_is_rate_limited(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, email, password="wrong password!").status_code == 401
    refused = sign_in(client, email)  # even the right password is refused now
    assert refused.status_code == 429
    assert '<html lang="fi">' in refused.get_data(as_text=True)


def test_sign_in_starts_a_new_session(app) -> None:
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    client.get("/staff/login")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    sign_in(client, email)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["_user_id"]


def test_signed_out_cookie_cannot_be_replayed(app) -> None:
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    cookie = client.get_cookie("session").value
    assert client.get("/staff/").status_code == 200
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 302
    client.set_cookie("session", cookie)  # the old cookie, replayed
    assert client.get("/staff/").status_code == 302
    actions = [action for action, _ in audit_actions(app)]
    assert actions == ["sign_in", "sign_out"]


def test_idle_session_expires(app_factory) -> None:
    app = app_factory(STAFF_IDLE_MINUTES=0)
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    assert client.get("/staff/").status_code == 302


def test_staff_pages_are_never_cached(staff_client) -> None:
    client = staff_client("counsellor")
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"
    assert client.get("/staff/account").headers["Cache-Control"] == "no-store"


def test_inactive_user_is_signed_out(app, staff_client) -> None:
    client = staff_client("counsellor")
    with app.app_context():
        for user in db.session.scalars(select(StaffUser)):
            user.active = False
        db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_pages_follow_the_staff_members_language(app, staff_client) -> None:
    client = staff_client("supervisor", language="sv")
    assert '<html lang="sv">' in client.get("/staff/").get_data(as_text=True)
    client.post(
        "/staff/account/language", data={"language": "fi", "csrf_token": csrf_token(client)}
    )
    assert '<html lang="fi">' in client.get("/staff/").get_data(as_text=True)
    bad = client.post(
        "/staff/account/language", data={"language": "en", "csrf_token": csrf_token(client)}
    )
    assert bad.status_code == 422


def test_sign_in_page_language(client) -> None:
    assert '<html lang="sv">' in client.get("/staff/login?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in client.get(
        "/staff/login", headers={"Accept-Language": "sv"}
    ).get_data(as_text=True)


def test_create_user_reads_the_password_from_standard_input(app, runner) -> None:
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New@Example.fi",
            "--name",
            "Uusi",
            "--role",
            "supervisor",
            "--language",
            "sv",
        ],
        input="a very secret password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a very secret password" not in result.output
    with app.app_context():
        user = db.session.scalars(select(StaffUser)).one()
        assert (user.email, user.role, user.language) == ("new@example.fi", "supervisor", "sv")
        assert user.password_hash.startswith("$argon2id$")
    signed_in = sign_in(app.test_client(), "new@example.fi", "a very secret password")
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/staff/login/enrol"  # a new account enrols first


def test_create_user_has_no_password_option(app, runner) -> None:
    command = app.cli.get_command(None, "create-user")
    options = {flag for param in command.params for flag in param.opts + param.secondary_opts}
    assert not {flag for flag in options if "pass" in flag.lower()}
    assert "password" not in {param.name for param in command.params}
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@example.fi",
            "--name",
            "A",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ],
        input="a long enough password\n",
    )
    assert_cli_error(result, 2, "No such option '--password'.")
    with app.app_context():
        assert db.session.scalars(select(StaffUser)).all() == []


def test_create_user_refuses_a_short_password(app, runner) -> None:
    result = runner.invoke(
        args=["create-user", "--email", "a@example.fi", "--name", "A", "--role", "admin"],
        input="short\n",
    )
    assert_cli_error(result, 1, "the password must have at least 12 characters")
    with app.app_context():
        assert db.session.scalars(select(StaffUser)).all() == []


def test_seed_demo_creates_one_user_per_role_and_prints_them(app, runner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "counsellor@example.fi / demo-password-2026" in result.output
    with app.app_context():
        roles = sorted(db.session.scalars(select(StaffUser.role)))
    assert roles == ["admin", "counsellor", "supervisor"]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # again: nothing duplicated


def test_seed_demo_is_refused_in_production(app_factory) -> None:
    app = app_factory(**PRODUCTION)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert_cli_error(result, 1, "seed-demo creates demo accounts and is refused in production")
    with app.app_context():
        assert db.session.scalars(select(StaffUser)).all() == []


def test_idle_session_on_an_htmx_action_goes_to_the_sign_in_page(app_factory) -> None:
    """htmx follows HX-Redirect from a 204: no error notice, the sign-in page instead, which
    is told that the session idled out."""
    app = app_factory(STAFF_IDLE_MINUTES=0)
    _, email = make_staff(app, "counsellor")
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    htmx = {"HX-Request": "true"}
    response = client.get("/staff/?q=x", headers=htmx)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/staff/login?next=/staff/?q%3Dx&ended=idle"
    response = client.post(
        "/staff/requests/1/notes",
        data={"note-note": "kesken", "csrf_token": csrf_token(client)},
        headers=htmx,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/staff/login?ended=idle"
