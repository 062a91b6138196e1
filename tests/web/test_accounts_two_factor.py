"""Two-factor sign-in through the test client: the password alone grants nothing, the code
step, enrolment with its QR code and recovery codes, the administrator's reset, the sign-in
limits per account and per address, and the demo accounts' way in."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from pyydaapua.accounts import two_factor
from pyydaapua.accounts.auth import SECOND_STEP
from pyydaapua.database import db
from pyydaapua.models import AuditEvent, RecoveryCode, StaffSession, StaffUser
from pyydaapua.web.security import CONTENT_SECURITY_POLICY
from tests.helpers.app import PRODUCTION, assert_cli_error
from tests.helpers.forms import csrf_token, form_token
from tests.helpers.staff import (
    STAFF_PASSWORD,
    current_code,
    enrol_page_secret,
    make_staff,
    password_step,
    post_code,
    sign_in,
    totp_secret_for,
    wrong_code,
)


def actions(app) -> list[tuple[str, int | None, str]]:
    with app.app_context():
        return [
            (e.action, e.user_id, e.target)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def stored_user(app, user_id: int) -> StaffUser:
    with app.app_context():
        user = db.session.get(StaffUser, user_id)
        db.session.expunge(user)
        return user


# --- The password step grants nothing --------------------------------------------------------


def test_the_password_alone_opens_no_staff_page(app) -> None:
    _, email = make_staff(app, "supervisor")
    client = app.test_client()
    response = password_step(client, email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login/code"
    with client.session_transaction() as session:
        assert "_user_id" not in session and set(session) <= {SECOND_STEP, "csrf_token"}
    for path in ("/staff/", "/staff/account", "/staff/reports", "/staff/audit"):
        refused = client.get(path)
        assert refused.status_code == 302, path
        assert refused.headers["Location"].startswith("/staff/login")
    assert [action for action, *_ in actions(app)] == []  # no sign-in yet


def test_a_replayed_cookie_of_the_password_step_opens_nothing(app) -> None:
    _, email = make_staff(app)
    client = app.test_client()
    password_step(client, email)
    cookie = client.get_cookie("session").value
    assert post_code(client, current_code(email)).status_code == 303
    assert client.get("/staff/").status_code == 200
    client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    other = app.test_client()
    other.set_cookie("session", cookie)  # the password step's cookie, replayed
    assert other.get("/staff/").status_code == 302
    assert other.get("/staff/account").status_code == 302


def test_the_second_step_needs_a_fresh_password_marker(app) -> None:
    _, email = make_staff(app)
    client = app.test_client()
    assert client.get("/staff/login/code").headers["Location"] == "/staff/login"
    password_step(client, email)
    with client.session_transaction() as session:
        # older than five minutes
        session[SECOND_STEP] = {**session[SECOND_STEP], "at": int(time.time()) - 6 * 60}
    expired = client.get("/staff/login/code")
    assert expired.status_code == 302 and expired.headers["Location"] == "/staff/login"
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Kirjaudu sisään uudelleen." in page
    late = client.post(
        "/staff/login/code", data={"code": current_code(email), "csrf_token": csrf_token(client)}
    )
    assert late.status_code == 303 and late.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


# --- The code step ---------------------------------------------------------------------------


def test_a_right_code_starts_the_staff_session_and_keeps_next(app) -> None:
    user_id, email = make_staff(app)
    client = app.test_client()
    password_step(client, email, next="/staff/?page=2")
    page = client.get("/staff/login/code")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in html
    response = post_code(client, current_code(email))
    assert response.status_code == 303 and response.headers["Location"] == "/staff/?page=2"
    assert client.get("/staff/").status_code == 200
    assert [(a, u) for a, u, _ in actions(app)] == [("sign_in", user_id)]
    with client.session_transaction() as session:
        assert SECOND_STEP not in session


@pytest.mark.parametrize(
    ("lang", "message"), [("fi", "Koodi ei ole oikein."), ("sv", "Koden är inte korrekt.")]
)
def test_a_wrong_code_is_a_generic_401_in_the_users_language_and_audited(
    app, lang, message
) -> None:
    user_id, email = make_staff(app, language=lang)
    client = app.test_client()
    password_step(client, email)
    wrong = wrong_code(totp_secret_for(email))
    response = post_code(client, wrong)
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert f'<html lang="{lang}">' in html and message in html
    assert wrong not in html
    assert actions(app) == [("sign_in_code_failed", user_id, "")]
    assert client.get("/staff/").status_code == 302


def test_an_empty_code_is_explained_not_counted_as_a_sign_in(app) -> None:
    _, email = make_staff(app)
    client = app.test_client()
    password_step(client, email)
    response = post_code(client, "")
    assert response.status_code == 422
    assert "Kirjoita vahvistuskoodi." in response.get_data(as_text=True)


def test_a_code_cannot_be_used_twice(app) -> None:
    user_id, email = make_staff(app)
    code = current_code(email)
    assert sign_in(app.test_client(), email, code=code).status_code == 303
    replay = sign_in(app.test_client(), email, code=code)
    assert replay.status_code == 401
    assert actions(app)[-1] == ("sign_in_code_failed", user_id, "")


# --- Enrolment --------------------------------------------------------------------------------


def test_a_new_account_enrols_with_a_qr_code_and_gets_ten_recovery_codes(app) -> None:
    user_id, email = make_staff(app, language="sv", enrolled=False)
    client = app.test_client()
    response = password_step(client, email)
    assert response.headers["Location"] == "/staff/login/enrol"
    assert client.get("/staff/login/code").headers["Location"] == "/staff/login/enrol"
    page = client.get("/staff/login/enrol")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="sv">' in html
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="' in svg and "<title>" in svg
    assert "style=" not in html and "<script>" not in html.replace("<script src", "")
    secret = enrol_page_secret(html)
    assert stored_user(app, user_id).totp_secret == secret  # kept on the server
    assert re.search(r'<span class="secret-group">[A-Z2-7]{4}</span> ', html)
    # The same secret on a second visit, until it is confirmed.
    assert enrol_page_secret(client.get("/staff/login/enrol").get_data(as_text=True)) == secret
    assert client.get("/staff/").status_code == 302

    done = post_code(client, pyotp.TOTP(secret).now(), "/staff/login/enrol")
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", html)
    assert len(set(codes)) == 10
    assert "visas bara denna gång" in html
    with app.app_context():
        stored = set(
            db.session.scalars(
                select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)
            )
        )
    assert stored == {two_factor.hash_recovery_code(code) for code in codes}
    assert not any(code in stored for code in codes)
    assert stored_user(app, user_id).two_factor_enrolled
    assert client.get("/staff/").status_code == 200
    assert [a for a, *_ in actions(app)] == ["two_factor_enrolled", "sign_in"]
    assert actions(app)[0] == ("two_factor_enrolled", user_id, f"user:{user_id}")
    # Enrolled: the enrolment page is gone; the next sign-in asks for a code.
    other = app.test_client()
    assert password_step(other, email).headers["Location"] == "/staff/login/code"
    assert other.get("/staff/login/enrol").headers["Location"] == "/staff/login/code"


def test_a_secret_sent_with_the_enrolment_form_is_not_trusted(app) -> None:
    user_id, email = make_staff(app, enrolled=False)
    client = app.test_client()
    password_step(client, email)
    html = client.get("/staff/login/enrol").get_data(as_text=True)
    mine = "A" * 32
    response = client.post(
        "/staff/login/enrol",
        data={"code": pyotp.TOTP(mine).now(), "secret": mine, "csrf_token": form_token(html)},
    )
    assert response.status_code == 422
    assert stored_user(app, user_id).totp_secret == enrol_page_secret(html)
    assert not stored_user(app, user_id).two_factor_enrolled


def test_a_wrong_enrolment_code_is_explained_and_audited(app) -> None:
    user_id, email = make_staff(app, enrolled=False)
    client = app.test_client()
    password_step(client, email)
    secret = enrol_page_secret(client.get("/staff/login/enrol").get_data(as_text=True))
    response = post_code(client, wrong_code(secret), "/staff/login/enrol")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Koodi ei ole oikein." in html and 'id="error-summary"' in html
    assert enrol_page_secret(html) == secret  # the same key, to try again
    assert actions(app) == [("sign_in_code_failed", user_id, "")]
    assert client.get("/staff/").status_code == 302


# --- Recovery codes ---------------------------------------------------------------------------


def enrolled_with_codes(app, language: str = "fi") -> tuple[int, str, list[str]]:
    user_id, email = make_staff(app, language=language, enrolled=False)
    client = app.test_client()
    password_step(client, email)
    secret = enrol_page_secret(client.get("/staff/login/enrol").get_data(as_text=True))
    html = post_code(client, pyotp.TOTP(secret).now(), "/staff/login/enrol").get_data(as_text=True)
    return user_id, email, re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", html)


def test_a_recovery_code_works_once_instead_of_a_code_and_is_audited(app) -> None:
    user_id, email, codes = enrolled_with_codes(app)
    client = app.test_client()
    response = sign_in(client, email, code=codes[3].upper().replace("-", " "))
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "varakoodilla" in page and "9" in page  # nine left, said on the next page
    assert [a for a, *_ in actions(app)][-2:] == ["recovery_code_used", "sign_in"]
    assert ("recovery_code_used", user_id, f"user:{user_id}") in actions(app)
    again = sign_in(app.test_client(), email, code=codes[3])
    assert again.status_code == 401
    assert sign_in(app.test_client(), email, code=codes[4]).status_code == 303


# --- The administrator's reset ----------------------------------------------------------------


def test_an_admin_resets_a_users_second_step(app, staff_client) -> None:
    user_id, email, _ = enrolled_with_codes(app)
    admin = staff_client("admin")
    page = admin.get(f"/staff/admin/users/{user_id}").get_data(as_text=True)
    assert 'data-enrolled="yes"' in page and "Käyttämättömiä varakoodeja: 10." in page
    # Without the CSRF token: refused, nothing changes.
    assert admin.post(f"/staff/admin/users/{user_id}/two-factor").status_code == 400
    assert stored_user(app, user_id).two_factor_enrolled
    with app.app_context():
        from pyydaapua.accounts.users import start_session

        start_session(db.session.get(StaffUser, user_id))
    response = admin.post(
        f"/staff/admin/users/{user_id}/two-factor", data={"csrf_token": csrf_token(admin)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/admin/users/{user_id}"
    user = stored_user(app, user_id)
    assert user.totp_secret is None and not user.two_factor_enrolled
    with app.app_context():
        assert (
            db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id)).all()
            == []
        )
        assert not db.session.scalars(
            select(StaffSession).where(
                StaffSession.user_id == user_id, StaffSession.ended_at.is_(None)
            )
        ).all()
    event = actions(app)[-1]
    assert event[0] == "two_factor_reset" and event[2] == f"user:{user_id}"
    page = admin.get(f"/staff/admin/users/{user_id}").get_data(as_text=True)
    assert 'data-enrolled="no"' in page
    # The user enrols again at the next sign-in.
    assert password_step(app.test_client(), email).headers["Location"] == "/staff/login/enrol"


def test_the_users_open_session_ends_on_reset(app, staff_client) -> None:
    user_id, email = make_staff(app)
    user_client = app.test_client()
    assert sign_in(user_client, email).status_code == 303
    assert user_client.get("/staff/").status_code == 200
    admin = staff_client("admin")
    admin.post(f"/staff/admin/users/{user_id}/two-factor", data={"csrf_token": csrf_token(admin)})
    assert user_client.get("/staff/").status_code == 302


def test_an_admin_cannot_reset_their_own(app) -> None:
    admin_id, email = make_staff(app, "admin")
    admin = app.test_client()
    sign_in(admin, email)
    page = admin.get(f"/staff/admin/users/{admin_id}").get_data(as_text=True)
    assert "Nollaa kaksivaiheinen tunnistautuminen</button>" not in page
    response = admin.post(
        f"/staff/admin/users/{admin_id}/two-factor", data={"csrf_token": csrf_token(admin)}
    )
    assert response.status_code == 422
    assert "Pyydä toista pääkäyttäjää." in response.get_data(as_text=True)
    assert stored_user(app, admin_id).two_factor_enrolled
    assert "two_factor_reset" not in [a for a, *_ in actions(app)]


# --- Sign-in limits per account and per address -----------------------------------------------


def test_failures_for_one_account_do_not_block_another_from_the_same_address(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    _, first = make_staff(app)
    _, second = make_staff(app)
    client = app.test_client()
    for _ in range(3):
        assert password_step(client, first, "wrong password!").status_code == 401
    assert password_step(client, first).status_code == 429  # this account is held back
    assert password_step(client, first.upper()).status_code == 429  # however it is typed
    assert sign_in(app.test_client(), second).status_code == 303  # the colleague is not


def test_successful_sign_ins_are_not_counted(app_factory) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per 15 minutes",
        LOGIN_ADDRESS_RATE_LIMIT="4 per 15 minutes",
    )
    emails = [make_staff(app)[1] for _ in range(4)]
    for round_ in range(3):
        for email in emails:
            response = sign_in(app.test_client(), email, code=None)
            assert response.status_code == 303, (round_, email)


def test_the_address_limit_holds_across_accounts(app_factory) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per 15 minutes",
        LOGIN_ADDRESS_RATE_LIMIT="5 per 15 minutes",
    )
    client = app.test_client()
    for number in range(5):
        assert password_step(client, f"nobody{number}@example.fi").status_code == 401
    _, email = make_staff(app)
    refused = password_step(client, email)
    assert refused.status_code == 429
    assert '<html lang="fi">' in refused.get_data(as_text=True)
    other_address = app.test_client()
    response = other_address.post(
        "/staff/login",
        data={
            "email": email,
            "password": STAFF_PASSWORD,
            "csrf_token": form_token(other_address.get("/staff/login").get_data(as_text=True)),
        },
        environ_overrides={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.status_code == 303


def test_wrong_codes_are_limited_like_passwords(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per 15 minutes")
    _, email = make_staff(app)
    client = app.test_client()
    password_step(client, email)
    for _ in range(3):
        assert post_code(client, wrong_code(totp_secret_for(email))).status_code == 401
    assert post_code(client, current_code(email)).status_code == 429
    _, colleague = make_staff(app)
    assert sign_in(app.test_client(), colleague).status_code == 303


# --- Demo accounts ------------------------------------------------------------------------------


def test_seed_demo_prints_each_demo_accounts_secret_that_signs_in(app, runner) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    found = dict(re.findall(r"(\S+@example\.fi) / .*\n\s+secret ([A-Z2-7]{32})", first.output))
    assert set(found) == {"counsellor@example.fi", "supervisor@example.fi", "admin@example.fi"}
    assert f"oathtool --totp -b {found['admin@example.fi']}" in first.output
    # A second run (as `make run` does each time) tells the same way in again.
    second = runner.invoke(args=["seed-demo"])
    assert dict(re.findall(r"(\S+@example\.fi) / .*\n\s+secret ([A-Z2-7]{32})", second.output)) == (
        found
    )
    listed = runner.invoke(args=["demo-users"])
    assert listed.exit_code == 0 and found["counsellor@example.fi"] in listed.output
    client = app.test_client()
    response = sign_in(
        client,
        "counsellor@example.fi",
        password="demo-password-2026",
        code=pyotp.TOTP(found["counsellor@example.fi"]).now(),
    )
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"


def test_demo_secrets_are_never_printed_for_other_accounts(app, runner) -> None:
    runner.invoke(args=["seed-demo"])
    _, email = make_staff(app)
    output = runner.invoke(args=["demo-users"]).output
    assert email not in output and totp_secret_for(email) not in output


def test_demo_users_is_refused_in_production(app_factory) -> None:
    app = app_factory(**PRODUCTION)
    result = app.test_cli_runner().invoke(args=["demo-users"])
    assert_cli_error(result, 1, "demo-users is for demo data and is refused in production")
    assert "secret" not in result.output and "oathtool" not in result.output
