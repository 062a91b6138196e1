"""Administration: staff accounts, the service catalogue, and the forced password change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.data_rights.audit_trail import AUDIT_LABELS
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import AuditEvent, HelpRequest, Referral, Service, StaffSession, StaffUser
from pyydaapua.tools import demo
from tests.helpers.forms import csrf_token
from tests.helpers.routes import ROUTES
from tests.helpers.staff import STAFF_PASSWORD, enrol, make_staff, sign_in

NEW_PASSWORD = "a brand new password"
TWICE = {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
PASSWORD_PAGE = "/staff/account/password"
ADMIN_ACTIONS = (
    "user_created",
    "user_changed",
    "user_deactivated",
    "user_reactivated",
    "password_set",
    "password_changed",
    "service_created",
    "service_changed",
)


def signed_in(app: Flask, email: str, password: str = STAFF_PASSWORD) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 303
    return client


@pytest.fixture
def admin(app) -> tuple[FlaskClient, int]:
    """A signed-in administrator's client and id."""
    admin_id, email = make_staff(app, "admin", name="Ada Admin")
    return signed_in(app, email), admin_id


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kw)


def admin_events(app) -> list[tuple[str, int | None, str]]:
    with app.app_context():
        return [
            (e.action, e.user_id, e.target)
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(ADMIN_ACTIONS))
                .order_by(AuditEvent.id)
            )
        ]


def get_user(app, user_id: int) -> StaffUser:
    with app.app_context():
        user = db.session.get(StaffUser, user_id)
        db.session.expunge(user)
        return user


def page(response: Any) -> str:
    return response.get_data(as_text=True)


def has_error(html: str, field: str) -> bool:
    return f'id="{field}-error"' in html and 'id="error-summary"' in html


def test_every_admin_action_has_a_label() -> None:
    assert set(ADMIN_ACTIONS) <= set(AUDIT_LABELS)


# --- Staff accounts -----------------------------------------------------------------------


def test_accounts_are_listed_by_name_with_their_state(app, admin) -> None:
    client, admin_id = admin
    bertta, _ = make_staff(app, "supervisor", "sv", name="bertta", email="b@example.fi")
    aino, _ = make_staff(app, "counsellor", name="Aino", email="a@example.fi")
    with app.app_context():
        user = db.session.get(StaffUser, bertta)
        user.active = False
        user.password_change_required = True
        db.session.commit()
    html = page(client.get("/staff/admin/users"))
    assert [int(i) for i in re.findall(r'<tr id="user-(\d+)"', html)] == [admin_id, aino, bertta]
    row = re.search(rf'<tr id="user-{bertta}"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'data-active="no"' in row and 'data-password-change="yes"' in row
    assert "b@example.fi" in row and 'lang="sv"' in row
    assert f'href="/staff/admin/users/{bertta}"' in row


def test_admin_creates_an_account_that_must_change_its_password(app, admin) -> None:
    client, admin_id = admin
    data = {
        "email": " Uusi.Kayttaja@Example.fi ",
        "name": "Uusi Käyttäjä",
        "role": "counsellor",
        "language": "sv",
        **TWICE,
    }
    response = post(client, "/staff/admin/users/new", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/admin/users"
    with app.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.name == "Uusi Käyttäjä")).one()
        assert (user.email, user.role, user.language) == (
            "uusi.kayttaja@example.fi",
            "counsellor",
            "sv",
        )
        assert user.active and user.password_change_required
        assert user.password_hash.startswith("$argon2id$")
        user_id = user.id
    assert admin_events(app) == [("user_created", admin_id, f"user:{user_id}")]
    listing = page(client.get("/staff/admin/users"))
    assert 'role="status"' in listing and "Uusi Käyttäjä" in listing
    assert re.search(rf'<tr id="user-{user_id}"[^>]*data-password-change="yes"', listing)


def test_new_account_errors_keep_what_was_typed(app, admin) -> None:
    client, _ = admin
    data = {
        "email": "not-an-email",
        "name": "Anna & Co",
        "role": "supervisor",
        "language": "sv",
        "new_password": "short",
        "new_password_again": "other",
    }
    response = post(client, "/staff/admin/users/new", data)
    assert response.status_code == 422
    html = page(response)
    for field in ("email", "new_password", "new_password_again"):
        assert has_error(html, field), field
    assert 'value="not-an-email"' in html and 'value="Anna &amp; Co"' in html
    assert '<option value="supervisor" selected>' in html
    assert re.search(r'value="sv" checked', html)
    assert 'value="short"' not in html and 'value="other"' not in html
    assert "<title>Virhe:" in html
    empty = page(post(client, "/staff/admin/users/new", {}))
    for field in ("email", "name", "role", "language", "new_password"):
        assert has_error(empty, field), field
    with app.app_context():
        assert len(db.session.scalars(select(StaffUser)).all()) == 1
    assert admin_events(app) == []


def test_duplicate_email_is_a_field_error(app, admin) -> None:
    client, _ = admin
    make_staff(app, "counsellor", email="taken@example.fi")
    data = {"email": "Taken@Example.fi", "name": "B", "role": "admin", "language": "fi", **TWICE}
    response = post(client, "/staff/admin/users/new", data)
    assert response.status_code == 422
    assert has_error(page(response), "email")
    assert 'value="Taken@Example.fi"' in page(response)
    with app.app_context():
        emails = db.session.scalars(select(StaffUser.email).where(StaffUser.email.like("taken%")))
        assert list(emails) == ["taken@example.fi"]


def test_admin_changes_name_role_and_language(app, admin) -> None:
    client, admin_id = admin
    user_id, _ = make_staff(app, "counsellor", name="Erik")
    form = page(client.get(f"/staff/admin/users/{user_id}"))
    assert 'value="Erik"' in form and '<option value="counsellor" selected>' in form
    data = {"name": "Erik Eriksson", "role": "supervisor", "language": "sv"}
    response = post(client, f"/staff/admin/users/{user_id}", data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/admin/users/{user_id}"
    user = get_user(app, user_id)
    assert (user.name, user.role, user.language) == ("Erik Eriksson", "supervisor", "sv")
    assert admin_events(app) == [("user_changed", admin_id, f"user:{user_id}")]
    # Saving without a change is not an audited change.
    assert post(client, f"/staff/admin/users/{user_id}", data).status_code == 303
    assert len(admin_events(app)) == 1


def test_account_change_errors_keep_what_was_typed(app, admin) -> None:
    client, _ = admin
    user_id, _ = make_staff(app, "counsellor", name="Erik")
    response = post(
        client, f"/staff/admin/users/{user_id}", {"name": "", "role": "admin", "language": "sv"}
    )
    assert response.status_code == 422
    html = page(response)
    assert has_error(html, "name")
    assert '<option value="admin" selected>' in html and re.search(r'value="sv" checked', html)
    bad_role = post(
        client, f"/staff/admin/users/{user_id}", {"name": "E", "role": "boss", "language": "fi"}
    )
    assert bad_role.status_code == 422 and has_error(page(bad_role), "role")
    user = get_user(app, user_id)
    assert (user.name, user.role, user.language) == ("Erik", "counsellor", "fi")
    assert admin_events(app) == []


def test_admin_cannot_take_away_their_own_admin_role(app, admin) -> None:
    client, admin_id = admin
    response = post(
        client,
        f"/staff/admin/users/{admin_id}",
        {"name": "Ada Admin", "role": "counsellor", "language": "fi"},
    )
    assert response.status_code == 422
    html = page(response)
    assert has_error(html, "role")
    assert '<option value="counsellor" selected>' in html  # what was chosen stays on screen
    assert get_user(app, admin_id).role == "admin"
    assert client.get("/staff/admin/users").status_code == 200
    # Their own language they may change.
    response = post(
        client, f"/staff/admin/users/{admin_id}", {"name": "Ada", "role": "admin", "language": "sv"}
    )
    assert response.status_code == 303
    assert '<html lang="sv">' in page(client.get("/staff/admin/users"))


def test_deactivation_ends_the_users_sessions_at_once(app, admin) -> None:
    client, admin_id = admin
    user_id, email = make_staff(app, "counsellor")
    colleague = signed_in(app, email)
    other_browser = signed_in(app, email)
    assert colleague.get("/staff/").status_code == 200
    response = post(client, f"/staff/admin/users/{user_id}/active", {"action": "deactivate"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/admin/users/{user_id}"
    with app.app_context():
        sessions = db.session.scalars(select(StaffSession).where(StaffSession.user_id == user_id))
        assert [s.ended_at is not None for s in sessions] == [True, True]
    for browser in (colleague, other_browser):
        refused = browser.get("/staff/")
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/staff/login")
    assert sign_in(app.test_client(), email).status_code == 401
    assert 'data-active="no"' in page(client.get(f"/staff/admin/users/{user_id}"))
    # Reactivated: the user can sign in again (the old sessions stay ended).
    response = post(client, f"/staff/admin/users/{user_id}/active", {"action": "reactivate"})
    assert response.status_code == 303
    assert colleague.get("/staff/").status_code == 302
    assert sign_in(app.test_client(), email).status_code == 303
    assert admin_events(app) == [
        ("user_deactivated", admin_id, f"user:{user_id}"),
        ("user_reactivated", admin_id, f"user:{user_id}"),
    ]
    with app.app_context():  # accounts are never deleted
        assert db.session.get(StaffUser, user_id) is not None


def test_admin_cannot_deactivate_themself(app, admin) -> None:
    client, admin_id = admin
    own_page = page(client.get(f"/staff/admin/users/{admin_id}"))
    assert 'value="deactivate"' not in own_page  # no button to do it
    response = post(client, f"/staff/admin/users/{admin_id}/active", {"action": "deactivate"})
    assert response.status_code == 422
    assert 'id="active-errors"' in page(response)
    assert get_user(app, admin_id).active
    assert client.get("/staff/admin/users").status_code == 200
    assert admin_events(app) == []


def test_active_form_needs_a_known_action(app, admin) -> None:
    client, _ = admin
    user_id, _ = make_staff(app, "counsellor")
    assert (
        post(client, f"/staff/admin/users/{user_id}/active", {"action": "delete"}).status_code
        == 400
    )
    assert get_user(app, user_id).active


def test_admin_sets_a_new_password_the_user_must_change(app, admin) -> None:
    client, admin_id = admin
    user_id, email = make_staff(app, "counsellor")
    colleague = signed_in(app, email)
    path = f"/staff/admin/users/{user_id}/password"
    mismatch = post(client, path, {"new_password": NEW_PASSWORD, "new_password_again": "typo"})
    assert mismatch.status_code == 422
    html = page(mismatch)
    assert 'id="password-errors"' in html and 'id="new_password_again-error"' in html
    assert NEW_PASSWORD not in html
    short = post(client, path, {"new_password": "short", "new_password_again": "short"})
    assert short.status_code == 422 and 'id="new_password-error"' in page(short)
    assert colleague.get("/staff/").status_code == 200  # nothing happened yet
    response = post(client, path, TWICE)
    assert response.status_code == 303
    assert get_user(app, user_id).password_change_required
    assert colleague.get("/staff/").status_code == 302  # signed out at once
    assert sign_in(app.test_client(), email).status_code == 401
    fresh = app.test_client()
    signed = sign_in(fresh, email, NEW_PASSWORD)
    assert signed.headers["Location"] == PASSWORD_PAGE
    assert admin_events(app) == [("password_set", admin_id, f"user:{user_id}")]


def test_admin_changes_their_own_password_on_their_account_page(app, admin) -> None:
    client, admin_id = admin
    response = post(client, f"/staff/admin/users/{admin_id}/password", TWICE)
    assert response.status_code == 422
    assert 'id="password-errors"' in page(response)
    assert not get_user(app, admin_id).password_change_required
    assert client.get("/staff/admin/users").status_code == 200


@pytest.mark.parametrize("path", ["/staff/admin/users/9999", "/staff/admin/services/9999"])
def test_unknown_ids_are_404(admin, path) -> None:
    client, _ = admin
    assert client.get(path).status_code == 404


def test_unknown_user_is_404_for_every_action(admin) -> None:
    client, _ = admin
    assert (
        post(client, "/staff/admin/users/9999/active", {"action": "reactivate"}).status_code == 404
    )
    assert post(client, "/staff/admin/users/9999/password", TWICE).status_code == 404


# --- The forced password change and one's own password --------------------------------------


@pytest.fixture
def must_change(app) -> tuple[FlaskClient, int]:
    """A counsellor whose password an administrator has set, signed in."""
    from pyydaapua.accounts import users

    with app.app_context():
        user = users.create_user(
            "forced@example.fi",
            "Forced",
            "counsellor",
            STAFF_PASSWORD,
            password_change_required=True,
        )
        user_id = user.id
    enrol(app, "forced@example.fi")
    client = app.test_client()
    response = sign_in(client, "forced@example.fi")
    assert response.status_code == 303
    assert response.headers["Location"] == PASSWORD_PAGE
    return client, user_id


# The session's own time left and "stay signed in" are free too: the page asks them on its own.
FREE = {
    PASSWORD_PAGE,
    "/staff/logout",
    "/staff/login",
    "/staff/login/code",
    "/staff/login/enrol",
    "/staff/session",
    # Single sign-on's own steps, not found here (OIDC_ISSUER unset); its accounts have no
    # password of ours to change.
    "/staff/sso",
    "/staff/sso/callback",
    "/staff/sso/logout",
}


@pytest.mark.parametrize(("method", "path"), [key for key in ROUTES if key[1] not in FREE])
def test_every_other_route_waits_for_the_new_password(must_change, method, path) -> None:
    client, _ = must_change
    concrete = re.sub(r"<int:\w+>", "1", path)
    if method == "GET":
        response = client.get(concrete)
        assert response.status_code == 302
    else:
        response = post(client, concrete, {"language": "sv"})
        assert response.status_code == 303
    assert response.headers["Location"] == PASSWORD_PAGE


def test_htmx_request_is_sent_to_the_password_page(must_change) -> None:
    client, _ = must_change
    response = client.get("/staff/?q=x", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == PASSWORD_PAGE


def test_forced_password_change_flow(app, must_change) -> None:
    client, user_id = must_change
    html = page(client.get(PASSWORD_PAGE))
    assert 'id="password-change-required"' in html
    wrong = post(client, PASSWORD_PAGE, {"current_password": "not the password", **TWICE})
    assert wrong.status_code == 422 and has_error(page(wrong), "current_password")
    assert client.get("/staff/").headers["Location"] == PASSWORD_PAGE  # still waiting
    response = post(client, PASSWORD_PAGE, {"current_password": STAFF_PASSWORD, **TWICE})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/account"
    assert 'role="status"' in page(client.get("/staff/account"))
    assert client.get("/staff/").status_code == 200
    assert 'id="password-change-required"' not in page(client.get(PASSWORD_PAGE))
    assert not get_user(app, user_id).password_change_required
    assert admin_events(app) == [("password_changed", user_id, f"user:{user_id}")]
    assert sign_in(app.test_client(), "forced@example.fi", NEW_PASSWORD).headers["Location"] == (
        "/staff/"
    )


def test_signing_out_is_allowed_before_the_change(must_change) -> None:
    client, _ = must_change
    response = post(client, "/staff/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"current_password": STAFF_PASSWORD, **TWICE, "new_password_again": "typo"},
            "new_password_again",
        ),
        (
            {
                "current_password": STAFF_PASSWORD,
                "new_password": STAFF_PASSWORD,
                "new_password_again": STAFF_PASSWORD,
            },
            "new_password",
        ),
        (
            {
                "current_password": STAFF_PASSWORD,
                "new_password": "short",
                "new_password_again": "short",
            },
            "new_password",
        ),
        ({**TWICE}, "current_password"),
    ],
)
def test_own_password_errors(app, staff_client, data, field) -> None:
    client = staff_client("supervisor")
    response = post(client, PASSWORD_PAGE, data)
    assert response.status_code == 422
    html = page(response)
    assert has_error(html, field)
    for value in set(data.values()):
        assert f'value="{value}"' not in html
    assert admin_events(app) == []


def test_changing_ones_password_ends_the_other_sessions(app) -> None:
    _, email = make_staff(app, "counsellor")
    this, other = signed_in(app, email), signed_in(app, email)
    response = post(this, PASSWORD_PAGE, {"current_password": STAFF_PASSWORD, **TWICE})
    assert response.status_code == 303
    assert this.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302


def _forced(app: Flask, email: str) -> FlaskClient:
    """A counsellor whose first password must be changed, signed in."""
    from pyydaapua.accounts import users

    with app.app_context():
        users.create_user(email, "New", "counsellor", STAFF_PASSWORD, password_change_required=True)
    enrol(app, email)
    client = app.test_client()
    assert sign_in(client, email).headers["Location"] == PASSWORD_PAGE
    return client


def test_anonymous_posts_cannot_use_up_a_users_password_limit(app_factory) -> None:
    """Posts from the same address without a session go to the sign-in page and count against
    no one: the new colleague can still change the first password."""
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    user = _forced(app, "new@example.fi")
    stranger = app.test_client()  # the same address (127.0.0.1) as the user
    for _ in range(12):
        refused = post(stranger, PASSWORD_PAGE, {"current_password": "guess", **TWICE})
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/staff/login")
    assert user.get(PASSWORD_PAGE).status_code == 200
    response = post(user, PASSWORD_PAGE, {"current_password": STAFF_PASSWORD, **TWICE})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/account"


def test_a_users_own_wrong_passwords_are_limited_per_account(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    user = _forced(app, "new@example.fi")
    colleague = _forced(app, "colleague@example.fi")  # same address, another account
    for _ in range(3):
        wrong = post(user, PASSWORD_PAGE, {"current_password": "not the password", **TWICE})
        assert wrong.status_code == 422
    right = {"current_password": STAFF_PASSWORD, **TWICE}
    assert post(user, PASSWORD_PAGE, right).status_code == 429  # even the right one, for now
    assert post(colleague, PASSWORD_PAGE, right).status_code == 303


# --- The service catalogue ------------------------------------------------------------------

ACTIVE_TICKED = re.compile(r'<input type="checkbox" id="active"[^>]* checked')
FULL_SERVICE = {
    "name_fi": "Perheiden tukipiste",
    "name_sv": "Familjernas stödpunkt",
    "description_fi": "Keskusteluapua vanhemmille.",
    "description_sv": "Samtalsstöd för föräldrar.",
    "provider_type": "third_sector",
    "provider": "Yhdistys ry",
    "phone": "+358 (0)8 123-456",
    "url": "https://tukipiste.example.fi/perheet",
    "email": "info@tukipiste.example.fi",
    "active": "y",
}


def service_by_name(app, name_fi: str) -> Service:
    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.name_fi == name_fi)).one()
        db.session.expunge(service)
        return service


def test_admin_adds_a_service(app, admin) -> None:
    client, admin_id = admin
    assert ACTIVE_TICKED.search(page(client.get("/staff/admin/services/new")))  # in use by default
    response = post(client, "/staff/admin/services/new", FULL_SERVICE)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/admin/services"
    service = service_by_name(app, "Perheiden tukipiste")
    for field, value in FULL_SERVICE.items():
        assert getattr(service, field) == (True if field == "active" else value), field
    assert admin_events(app) == [("service_created", admin_id, f"service:{service.id}")]
    listing = page(client.get("/staff/admin/services"))
    assert f'<tr id="service-{service.id}" data-active="yes">' in listing
    assert 'role="status"' in listing


@pytest.mark.parametrize(
    ("edits", "field"),
    [
        ({"name_fi": ""}, "name_fi"),
        ({"name_sv": "  "}, "name_sv"),
        ({"provider_type": "private"}, "provider_type"),
        ({"phone": "soita meille"}, "phone"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "www.example.fi"}, "url"),
        ({"email": "info(at)example.fi"}, "email"),
    ],
)
def test_service_errors_keep_what_was_typed(app, admin, edits, field) -> None:
    client, _ = admin
    data = {**FULL_SERVICE, "provider": "Perhe & koti", **edits}
    response = post(client, "/staff/admin/services/new", data)
    assert response.status_code == 422
    html = page(response)
    assert has_error(html, field)
    assert 'value="Perhe &amp; koti"' in html
    assert "Samtalsstöd för föräldrar." in html
    for name, value in edits.items():
        if name != "provider_type" and value.strip():
            assert f'value="{value}"' in html
    with app.app_context():
        assert db.session.scalars(select(Service)).all() == []
    assert admin_events(app) == []


def test_service_taken_out_of_use_is_not_offered_but_old_referrals_keep_it(
    app, admin, staff_client
) -> None:
    counsellor = staff_client("counsellor")
    client, admin_id = admin
    with app.app_context():
        demo.load_services()
        worker = db.session.scalars(select(StaffUser).where(StaffUser.role == "counsellor")).one()
        stored = submit(
            NewRequest(
                submission_key="r" * 32, language="fi", call_language="fi", phone="+358401234567"
            )
        )
        service = db.session.scalars(select(Service).order_by(Service.name_fi)).first()
        changes.refer(stored, worker, 1, service, "sent")
        request_id, service_id, name = stored.id, service.id, service.name_fi
        data = {
            "name_fi": service.name_fi,
            "name_sv": service.name_sv,
            "provider_type": service.provider_type,
            "provider": service.provider,
            "phone": service.phone,
        }
    edit = page(client.get(f"/staff/admin/services/{service_id}"))
    assert f'value="{name}"' in edit
    response = post(client, f"/staff/admin/services/{service_id}", data)  # "active" unticked
    assert response.status_code == 303
    assert not service_by_name(app, name).active
    assert admin_events(app) == [("service_changed", admin_id, f"service:{service_id}")]
    assert 'data-active="no"' in page(client.get("/staff/admin/services"))
    assert not ACTIVE_TICKED.search(page(client.get(f"/staff/admin/services/{service_id}")))
    # Not offered for new referrals…
    options = page(counsellor.get(f"/staff/services/options?q={name}"))
    assert f'value="{service_id}"' not in options
    request_page = page(counsellor.get(f"/staff/requests/{request_id}"))
    form = re.search(r'<form id="form-referral".*?</form>', request_page, re.S).group(0)
    assert f'value="{service_id}"' not in form
    # …and refused when sent anyway…
    with app.app_context():
        version = db.session.get(HelpRequest, request_id).version
    refused = post(
        counsellor,
        f"/staff/requests/{request_id}/referrals",
        {"referral-version": version, "referral-service": service_id, "referral-status": "sent"},
    )
    assert refused.status_code == 422
    assert 'id="referral-service-error"' in page(refused)
    with app.app_context():
        assert len(db.session.scalars(select(Referral)).all()) == 1
    # …but the earlier referral still shows it.
    referrals = re.search(r'<section id="referrals".*?</section>', request_page, re.S).group(0)
    assert name in referrals and "service-inactive" in referrals
    # In use again: offered again.
    post(client, f"/staff/admin/services/{service_id}", {**data, "active": "y"})
    assert f'value="{service_id}"' in page(counsellor.get(f"/staff/services/options?q={name}"))


def test_saving_an_unchanged_service_is_not_an_audited_change(app, admin) -> None:
    client, _ = admin
    post(client, "/staff/admin/services/new", FULL_SERVICE)
    service = service_by_name(app, FULL_SERVICE["name_fi"])
    response = post(client, f"/staff/admin/services/{service.id}", FULL_SERVICE)
    assert response.status_code == 303
    assert [action for action, _, _ in admin_events(app)] == ["service_created"]


def test_service_edit_errors_keep_what_was_typed(app, admin) -> None:
    client, _ = admin
    post(client, "/staff/admin/services/new", FULL_SERVICE)
    service = service_by_name(app, FULL_SERVICE["name_fi"])
    data = {**FULL_SERVICE, "name_fi": "Uusi nimi", "url": "ftp://example.fi"}
    response = post(client, f"/staff/admin/services/{service.id}", data)
    assert response.status_code == 422
    assert has_error(page(response), "url")
    assert 'value="Uusi nimi"' in page(response) and 'value="ftp://example.fi"' in page(response)
    assert service_by_name(app, FULL_SERVICE["name_fi"]).url == FULL_SERVICE["url"]


# --- The menu -------------------------------------------------------------------------------


def test_admin_menu_marks_the_current_page(app, admin, staff_client) -> None:
    client, admin_id = admin
    users = page(client.get("/staff/admin/users"))
    assert re.search(r'href="/staff/admin/users" aria-current="page"', users)
    assert not re.search(r'href="/staff/admin/services" aria-current', users)
    services = page(client.get("/staff/admin/services"))
    assert re.search(r'href="/staff/admin/services" aria-current="page"', services)
    user_page = page(client.get(f"/staff/admin/users/{admin_id}"))
    assert re.search(r'href="/staff/admin/users" aria-current="true"', user_page)
    for role in ("counsellor", "supervisor"):
        assert "/staff/admin/" not in page(staff_client(role).get("/staff/account"))
