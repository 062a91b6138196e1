"""The administrator's account and catalogue forms, the own account forms and sign-in, under
odd input: never a 5xx; accepted text is stored exactly; a sign-in goes only to this site."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from pyydaapua.database import db
from pyydaapua.models import Service, StaffUser
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.web.labels import PROVIDER_TYPE_LABELS, ROLE_LABELS
from tests.helpers.forms import csrf_token, form_token, hidden_fields
from tests.helpers.staff import STAFF_PASSWORD, enrol, fresh_code, make_staff
from tests.property import strategies
from tests.property.tally import send

PASSWORDS = ["a perfectly good password", "short", "", " " * 12, "ä" * 12, "x" * 201]
password = st.one_of(st.sampled_from(PASSWORDS), strategies.text)
EMAILS = ["someone@example.fi", "a@b", "", "äiti@esimerkki.fi", "x@" + "y" * 300 + ".fi"]


@dataclass
class Office:
    app: object
    client: object
    token: str
    user_id: int
    service_id: int


@pytest.fixture
def office(app, staff_client) -> Office:
    client = staff_client("admin")
    user_id, _ = make_staff(app, "counsellor")
    with app.app_context():
        service = Service(name_fi="Palvelu", name_sv="Tjänst", provider_type="city")
        db.session.add(service)
        db.session.commit()
        service_id = service.id
    return Office(app, client, csrf_token(client), user_id, service_id)


def stored_row(app, model, row_id: int):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge_all()
        return row


ACCOUNT = {
    "name": strategies.text,
    "role": strategies.choice(tuple(ROLE_LABELS)),
    "language": strategies.choice(LANGUAGES),
}


@given(
    items=strategies.fields(
        {
            "email": st.one_of(st.sampled_from(EMAILS), strategies.text),
            **ACCOUNT,
            "new_password": password,
            "new_password_again": password,
        },
        {
            "email": st.uuids().map(lambda key: f"{key.hex}@example.fi"),
            "name": strategies.calm_text,
            "role": st.sampled_from(tuple(ROLE_LABELS)),
            "language": st.sampled_from(LANGUAGES),
            "new_password": st.just(PASSWORDS[0]),
            "new_password_again": st.just(PASSWORDS[0]),
        },
    )
)
def test_new_account(office, items) -> None:
    response = send(
        "admin: new account",
        office.client,
        "POST",
        "/staff/admin/users/new",
        data=strategies.form(office.token, items),
    )
    if response.status_code == 303:
        with office.app.app_context():
            user = db.session.scalars(select(StaffUser).order_by(StaffUser.id.desc())).first()
            assert user.name == strategies.accepted(
                strategies.first(items, "name"), multiline=False
            )


CALM_ACCOUNT = {
    "name": strategies.calm_text,
    "role": st.sampled_from(tuple(ROLE_LABELS)),
    "language": st.sampled_from(LANGUAGES),
}


@given(items=strategies.fields(ACCOUNT, CALM_ACCOUNT))
def test_change_account(office, items) -> None:
    url = f"/staff/admin/users/{office.user_id}"
    before = stored_row(office.app, StaffUser, office.user_id)
    response = send(
        "admin: change account",
        office.client,
        "POST",
        url,
        data=strategies.form(office.token, items),
    )
    if response.status_code == 303:
        user = stored_row(office.app, StaffUser, office.user_id)
        assert user.name == expected_text(items, "name", False, before)
    elif response.status_code == 422:
        from markupsafe import escape

        typed = strategies.shown_again(strategies.first(items, "name"), multiline=False)
        assert str(escape(typed)) in response.get_data(as_text=True)


@given(items=strategies.fields({"action": strategies.choice(("deactivate", "reactivate"))}))
def test_deactivate_account(office, items) -> None:
    url = f"/staff/admin/users/{office.user_id}/active"
    send(
        "admin: (de)activate account",
        office.client,
        "POST",
        url,
        data=strategies.form(office.token, items),
    )


@given(items=strategies.fields({"new_password": password, "new_password_again": password}))
def test_set_password(office, items) -> None:
    url = f"/staff/admin/users/{office.user_id}/password"
    send(
        "admin: set a password",
        office.client,
        "POST",
        url,
        data=strategies.form(office.token, items),
    )


SERVICE = {
    "name_fi": strategies.text,
    "name_sv": strategies.text,
    "description_fi": strategies.text,
    "description_sv": strategies.text,
    "provider_type": strategies.choice(tuple(PROVIDER_TYPE_LABELS)),
    "provider": strategies.text,
    "phone": st.one_of(st.sampled_from(["", "09 123 456", "+358 (0)9 123-456"]), strategies.text),
    "url": st.one_of(
        st.sampled_from(["", "https://example.fi/", "javascript:x", "http://"]), strategies.text
    ),
    "email": st.one_of(st.sampled_from(EMAILS), strategies.text),
    "active": strategies.choice(("y", "")),
}
CALM_SERVICE = {
    "name_fi": strategies.calm_text,
    "name_sv": strategies.calm_text,
    "description_fi": strategies.calm_text,
    "description_sv": strategies.calm_text,
    "provider_type": st.sampled_from(tuple(PROVIDER_TYPE_LABELS)),
    "provider": strategies.calm_text,
    "phone": st.just("09 123 456"),
    "url": st.just("https://example.fi/"),
    "email": st.just("palvelu@example.fi"),
}
SERVICE_TEXT = {
    "name_fi": False,
    "name_sv": False,
    "description_fi": True,
    "description_sv": True,
    "provider": False,
}


def expected_text(items, name: str, multiline: bool, before: object = None) -> str:
    """The stored text after a post: the accepted text; on a change form, a field that was
    not sent at all keeps its value."""
    if before is not None and strategies.first(items, name) is None:
        return getattr(before, name)
    return strategies.accepted(strategies.first(items, name), multiline)


def check_service(app, response, items, service_id: int | None, before=None) -> None:
    if response.status_code != 303:
        return
    with app.app_context():
        if service_id is None:
            service = db.session.scalars(select(Service).order_by(Service.id.desc())).first()
        else:
            service = db.session.get(Service, service_id)
        for name, multiline in SERVICE_TEXT.items():
            assert getattr(service, name) == expected_text(items, name, multiline, before), name


@given(items=strategies.fields(SERVICE, CALM_SERVICE))
def test_new_service(office, items) -> None:
    response = send(
        "admin: new service",
        office.client,
        "POST",
        "/staff/admin/services/new",
        data=strategies.form(office.token, items),
    )
    check_service(office.app, response, items, None)


@given(items=strategies.fields(SERVICE, CALM_SERVICE))
def test_change_service(office, items) -> None:
    url = f"/staff/admin/services/{office.service_id}"
    before = stored_row(office.app, Service, office.service_id)
    response = send(
        "admin: change service",
        office.client,
        "POST",
        url,
        data=strategies.form(office.token, items),
    )
    check_service(office.app, response, items, office.service_id, before)


@given(items=strategies.fields({}))
def test_reset_two_factor(office, items) -> None:
    """Only the CSRF token and unknown fields: the account has two-factor sign-in in use
    again before each example, so that each reset has something to reset."""
    with office.app.app_context():
        email = db.session.get(StaffUser, office.user_id).email
    enrol(office.app, email)
    url = f"/staff/admin/users/{office.user_id}/two-factor"
    form = "admin: reset two-factor sign-in"
    response = send(form, office.client, "POST", url, data=strategies.form(office.token, items))
    if response.status_code == 303:
        with office.app.app_context():
            assert not db.session.get(StaffUser, office.user_id).two_factor_enrolled


@given(data=st.data(), page=st.sampled_from(["/staff/admin/users/{}", "/staff/admin/services/{}"]))
def test_admin_ids_in_the_path(office, data, page) -> None:
    from urllib.parse import quote

    # One in three the id of the stored account or service: that one is found.
    known = str(office.user_id if "users" in page else office.service_id)
    number = data.draw(st.one_of(st.just(known), strategies.number, strategies.text))

    send(
        "path: account and service ids",
        office.client,
        "GET",
        page.format(quote(number, safe="") or "0"),
    )


@pytest.fixture
def own(app, staff_client):
    client = staff_client("counsellor")
    return {"client": client, "token": csrf_token(client), "password": STAFF_PASSWORD}


@given(items=strategies.fields({"language": strategies.choice(LANGUAGES)}))
def test_own_language(own, items) -> None:
    send(
        "account: language",
        own["client"],
        "POST",
        "/staff/account/language",
        data=strategies.form(own["token"], items),
    )


GOOD_AGAIN = "the new password, typed again"


@given(data=st.data())
def test_own_password(own, data) -> None:
    current = st.one_of(st.just(own["password"]), password)
    new = st.sampled_from(["a perfectly good password", "another good password 2026"])
    calm = {
        "current_password": st.just(own["password"]),
        "new_password": new,
        "new_password_again": st.just(GOOD_AGAIN),
    }
    items = data.draw(
        strategies.fields(
            {"current_password": current, "new_password": password, "new_password_again": password},
            calm,
        )
    )
    if strategies.first(items, "new_password_again") == GOOD_AGAIN:
        items = [
            (name, strategies.first(items, "new_password") if value == GOOD_AGAIN else value)
            for name, value in items
        ]
    response = send(
        "account: own password",
        own["client"],
        "POST",
        "/staff/account/password",
        data=strategies.form(own["token"], items),
    )
    if response.status_code == 303:
        own["password"] = strategies.first(items, "new_password")


NEXT = st.one_of(
    st.sampled_from(
        [
            "",
            "/staff/",
            "/staff/?page=2",
            "//evil.example/",
            "https://evil.example/",
            "/staff/\x00",
            "/staff/\r\nX: y",
            "/\\evil",
            "//[",
            "javascript:alert(1)",
        ]
    ),
    st.builds(lambda text: "/staff/" + text, strategies.text),
    strategies.text,
)


@pytest.fixture
def sign_in_user(app) -> str:
    _, email = make_staff(app, "counsellor")
    return email


@given(data=st.data())
def test_sign_in(app, sign_in_user, data) -> None:
    items = data.draw(
        strategies.fields(
            {
                "email": st.one_of(st.just(sign_in_user), st.just(sign_in_user), strategies.text),
                "password": st.one_of(st.just(STAFF_PASSWORD), st.just(STAFF_PASSWORD), password),
                "next": NEXT,
            }
        )
    )
    client = app.test_client()
    token = hidden_fields(client.get("/staff/login").get_data(as_text=True)).get("csrf_token")
    if token is None:
        import re

        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/staff/login").get_data(as_text=True),
        ).group(1)
    response = send("sign-in", client, "POST", "/staff/login", data=strategies.form(token, items))
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303):
        assert location.startswith("/") and not location.startswith("//"), location
        assert "\\" not in location
        assert not any(unicodedata.category(char)[0] == "C" for char in location), location


GOOD_CODE = "the code the app shows now"
CODES = st.one_of(
    st.just(GOOD_CODE),
    st.sampled_from(["", "000000", "12345", "1234567", "１２３４５６", "abcd-efgh", "9" * 400]),
    strategies.number,
    strategies.text,
)


@given(data=st.data())
def test_sign_in_code(app, sign_in_user, data) -> None:
    """The second step, after a right password: the code from the app (or a recovery code),
    well formed or not."""
    items = data.draw(strategies.fields({"code": CODES}, {"code": st.just(GOOD_CODE)}))
    client = app.test_client()
    token = form_token(client.get("/staff/login").get_data(as_text=True))
    password = {"csrf_token": token, "email": sign_in_user, "password": STAFF_PASSWORD}
    assert client.post("/staff/login", data=password).headers["Location"] == "/staff/login/code"
    items = [
        (name, fresh_code(app, sign_in_user) if value == GOOD_CODE else value)
        for name, value in items
    ]
    token = form_token(client.get("/staff/login/code").get_data(as_text=True))
    response = send(
        "sign-in: code", client, "POST", "/staff/login/code", data=strategies.form(token, items)
    )
    if response.status_code == 303:
        assert client.get("/staff/").status_code == 200  # signed in


@pytest.fixture
def enrolling(app) -> str:
    """An account without two-factor sign-in in use."""
    return make_staff(app, "counsellor", enrolled=False)[1]


@given(data=st.data())
def test_enrolment_code(app, enrolling, data) -> None:
    """The first code, confirming the secret of an account without two-factor sign-in (as
    after an administrator's reset), well formed or not."""
    from sqlalchemy import update

    from pyydaapua.accounts import two_factor

    email = enrolling
    with app.app_context():
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.email == email)
            .values(totp_secret=None, totp_confirmed_at=None, totp_last_step=None)
        )
        db.session.commit()
    items = data.draw(strategies.fields({"code": CODES}, {"code": st.just(GOOD_CODE)}))
    client = app.test_client()
    token = form_token(client.get("/staff/login").get_data(as_text=True))
    password = {"csrf_token": token, "email": email, "password": STAFF_PASSWORD}
    assert client.post("/staff/login", data=password).headers["Location"] == "/staff/login/enrol"
    token = form_token(client.get("/staff/login/enrol").get_data(as_text=True))
    with app.app_context():
        secret = db.session.scalars(select(StaffUser.totp_secret).where(StaffUser.email == email))
        code = two_factor.code_for_step(secret.one(), int(time.time()) // two_factor.STEP_SECONDS)
    items = [(name, code if value == GOOD_CODE else value) for name, value in items]
    form = "sign-in: first code (enrolment)"
    # Accepted, the page shows the recovery codes at once (200, shown once).
    url = "/staff/login/enrol"
    response = send(
        form, client, "POST", url, accepted_with=(200,), data=strategies.form(token, items)
    )
    if response.status_code == 200:
        with app.app_context():
            user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
            assert user.two_factor_enrolled
