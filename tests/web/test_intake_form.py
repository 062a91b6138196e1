"""The parent's request form: validation, values kept, success, duplicates and abuse."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from pyydaapua.rules.references import ALPHABET
from pyydaapua.rules.workdays import callback_due_date
from tests.helpers.forms import RequestFormHelper, form_notice, hidden_fields


def count_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HelpRequest))


def only_request(app) -> HelpRequest:
    with app.app_context():
        stored = db.session.scalars(select(HelpRequest)).one()
        stored.topic_codes  # noqa: B018 - load the topics while the session is open
        return stored


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_form_fields_have_stable_names(client, lang) -> None:
    html = client.get(f"/{lang}/request").get_data(as_text=True)
    for name in (
        "topics",
        "description",
        "child_ages",
        "name",
        "phone",
        "call_time",
        "sms_ok",
        "email",
        "call_language",
        "csrf_token",
        "submission_key",
    ):
        assert f'name="{name}"' in html, name
    assert "novalidate" in html
    assert (
        '<input type="radio" id="call_language-{}" name="call_language" value="{}" checked>'.format(
            0 if lang == "fi" else 1, lang
        )
        in html
    )
    assert 'name="sms_ok" value="no" checked' in html
    assert "*" not in re.sub(r"<[^>]+>", "", html)  # no asterisks in the text


@pytest.mark.parametrize(
    ("lang", "prefix", "message", "optional"),
    [
        ("fi", "Virhe:", "puhelinnumero", "(vapaaehtoinen)"),
        ("sv", "Fel:", "telefonnummer", "(frivilligt)"),
    ],
)
def test_missing_phone_comes_back_with_errors_and_every_value(
    app, request_form, lang, prefix, message, optional
) -> None:
    response = request_form.submit(
        lang,
        phone="",
        topics=["finances", "moving"],
        child_ages=["3-5"],
        description="Meillä on <vaikeaa> & raskasta",
        name="Sanna",
        email="sanna@example.fi",
        call_time="morning",
        sms_ok="yes",
        call_language="sv",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf"<title>{prefix} ", html)
    summary = re.search(
        r'<div class="error-summary" id="error-summary"[^>]*>(.*?)</div>', html, re.S
    )
    assert summary and 'href="#phone"' in summary.group(1)
    assert message in unescape(summary.group(1)).lower()
    assert "autofocus" in summary.group(0)
    phone_input = re.search(r'<input[^>]*id="phone"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in phone_input
    assert 'aria-describedby="phone-hint phone-error"' in phone_input
    assert 'id="phone-error"' in html
    # Everything typed is still there, escaped.
    assert "Meillä on &lt;vaikeaa&gt; &amp; raskasta</textarea>" in html
    assert 'value="Sanna"' in html and 'value="sanna@example.fi"' in html
    for checked in (
        'name="topics" value="finances" checked',
        'name="topics" value="moving" checked',
        'name="child_ages" value="3-5" checked',
        'name="call_time" value="morning" checked',
        'name="sms_ok" value="yes" checked',
        'name="call_language" value="sv" checked',
    ):
        assert checked in html
    assert optional in html
    assert count_requests(app) == 0


PHONE_MESSAGE = "Kirjoita puhelinnumero, esimerkiksi 040 123 4567 tai +358 40 123 4567."


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"phone": "12345"}, "phone", PHONE_MESSAGE),
        ({"phone": "not a number"}, "phone", PHONE_MESSAGE),
        (
            {"email": "sanna@"},
            "email",
            "Kirjoita sähköpostiosoite, esimerkiksi nimi@example.fi, tai jätä kenttä tyhjäksi.",
        ),
        ({"description": "x" * 4001}, "description", "Kirjoita enintään 4\u00a0000 merkkiä."),
        ({"topics": ["nonsense"]}, "topics", "Virheellinen valinta"),
        ({"child_ages": ["3-5", "nonsense"]}, "child_ages", "Virheellinen valinta"),
        ({"call_language": "en"}, "call_language", "Virheellinen valinta"),
    ],
)
def test_invalid_values_get_a_message_in_the_language(
    app, request_form, fields, field_id, message
) -> None:
    response = request_form.submit("fi", **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The examples in the messages are in the hints too: check the message next to the field.
    error = f'<p class="field-error" id="{field_id}-error">'
    assert f'{error}<span class="visually-hidden">Virhe:</span> {message}</p>' in html
    assert count_requests(app) == 0


def test_description_of_exactly_4000_characters_is_accepted(app, request_form) -> None:
    response = request_form.submit("fi", description="ä" * 4000)
    assert response.status_code == 303
    assert len(only_request(app).description) == 4000


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("09 310 1691", "+35893101691"),
    ],
)
def test_phone_numbers_are_stored_in_e164(app, request_form, typed, stored) -> None:
    assert request_form.submit("fi", phone=typed).status_code == 303
    assert only_request(app).phone == stored


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_success_stores_the_request_and_shows_the_confirmation(app, client, lang) -> None:
    helper = RequestFormHelper(client)
    before = datetime.now(UTC)
    response = helper.submit(
        lang,
        topics=["school_attendance", "parent_coping"],
        child_ages=["13-17"],
        description="Poika ei käy koulussa.",
        name="",
        sms_ok="no",
        call_time="afternoon",
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == f"/{lang}/request/sent"  # the address holds nothing

    stored = only_request(app)
    assert stored.language == lang
    assert stored.call_language == lang
    assert stored.phone == "+358401234567"
    assert stored.topic_codes == ["parent_coping", "school_attendance"]
    assert stored.child_age_codes == ["13-17"]
    assert stored.call_time == "afternoon"
    assert stored.sms_ok is False
    assert re.fullmatch(f"[{ALPHABET}]{{8}}", stored.reference)
    submitted = stored.submitted_at
    if submitted.tzinfo is None:  # SQLite gives back naive UTC
        submitted = submitted.replace(tzinfo=UTC)
    assert before <= submitted <= datetime.now(UTC)
    assert stored.due_date == callback_due_date(submitted)

    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = f"{stored.reference[:4]}-{stored.reference[4:]}"
    assert f'<strong class="reference" id="reference">{shown}</strong>' in html
    assert f'<time id="due-date" datetime="{stored.due_date.isoformat()}">' in html


def test_confirmation_date_is_formatted_with_its_weekday(app, request_form) -> None:
    request_form.submit("fi")
    with app.app_context():
        db.session.scalars(select(HelpRequest)).one().due_date = date(2026, 11, 26)
        db.session.commit()
    fi = request_form.client.get("/fi/request/sent").get_data(as_text=True)
    sv = request_form.client.get("/sv/request/sent").get_data(as_text=True)
    assert '<time id="due-date" datetime="2026-11-26">torstai 26. marraskuuta 2026</time>' in fi
    assert '<time id="due-date" datetime="2026-11-26">torsdag 26 november 2026</time>' in sv


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fi", "Tätä sivua ei enää näytetä"), ("sv", "Den här sidan visas inte längre")],
)
def test_a_confirmation_without_its_session_shows_nothing(client, lang, text) -> None:
    page = client.get(f"/{lang}/request/sent")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="confirmation-gone"' in html and text in html
    assert 'id="reference"' not in html and 'id="due-date"' not in html
    # The old addresses with a key in them lead nowhere.
    assert client.get(f"/{lang}/request/sent/" + "x" * 32).status_code == 404


def test_double_submission_stores_one_request(app, request_form) -> None:
    hidden = request_form.open("fi")
    first = request_form.submit("fi", hidden=hidden, description="Sama pyyntö")
    second = request_form.submit("fi", hidden=hidden, description="Sama pyyntö")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count_requests(app) == 1


def test_a_new_form_makes_a_new_request(app, request_form) -> None:
    request_form.submit("fi")
    request_form.submit("fi")
    assert count_requests(app) == 2


def test_honeypot_stores_nothing(app, request_form) -> None:
    response = request_form.submit("fi", contact_me_by_fax="http://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/fi/"
    assert count_requests(app) == 0


def test_honeypot_is_hidden_from_people(client) -> None:
    html = client.get("/fi/request").get_data(as_text=True)
    honeypot = re.search(r'<div class="hp" aria-hidden="true">.*?</div>', html, re.S).group(0)
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot


def test_htmx_get_returns_only_the_form(client) -> None:
    full = client.get("/fi/request").get_data(as_text=True)
    partial = client.get("/fi/request", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert full.startswith("<!doctype html>")
    assert "<html" not in partial and partial.strip().startswith("<form")
    assert 'id="request-form"' in partial and 'id="request-form"' in full


def test_htmx_post_with_errors_returns_only_the_form(client, request_form) -> None:
    response = request_form.submit("sv", phone="", name="Anna", headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.strip().startswith("<form")
    assert 'id="error-summary"' in html and 'value="Anna"' in html
    # The page's title comes with it, for htmx to set: "Error:" as on a full page.
    assert re.findall(r"<title>(.*?)</title>", html) == [
        "Fel: Be om hjälp: kontaktformulär – Be om hjälp"
    ]
    corrected = request_form.submit("fi", headers={"HX-Request": "true"}, csrf_token="wrong")
    assert re.findall(r"<title>(.*?)</title>", corrected.get_data(as_text=True)) == [
        "Pyydä apua: yhteydenottolomake – Pyydä apua"
    ]


def test_htmx_post_success_redirects_the_whole_page(app, request_form) -> None:
    response = request_form.submit("fi", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/fi/request/sent"
    assert count_requests(app) == 1


def test_rate_limit_keeps_the_typed_text(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="2 per hour")
    helper = RequestFormHelper(app.test_client())
    assert helper.submit("fi").status_code == 303
    assert helper.submit("fi").status_code == 303
    refused = helper.submit("sv", description="Vi behöver hjälp", name="Erik")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Vi behöver hjälp</textarea>" in html and 'value="Erik"' in html
    assert "Många kontaktbegäranden har skickats från den här anslutningen" in form_notice(html)
    assert hidden_fields(html)["csrf_token"]
    assert count_requests(app) == 2
    # Reading the form is never limited.
    assert helper.client.get("/sv/request").status_code == 200


def test_rate_limit_refusal_for_htmx_is_the_form(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="1 per hour")
    helper = RequestFormHelper(app.test_client())
    helper.submit("fi")
    refused = helper.submit("fi", description="Teksti", headers={"HX-Request": "true"})
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert html.strip().startswith("<form") and "Teksti</textarea>" in html


def test_size_limit_gives_a_friendly_413(app_factory) -> None:
    app = app_factory(MAX_CONTENT_LENGTH=10_000)
    helper = RequestFormHelper(app.test_client())
    response = helper.submit("sv", description="x" * 20_000)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html and 'id="error-message"' in html
    assert count_requests(app) == 0


def test_expired_session_keeps_the_text_and_gives_a_fresh_token(app_factory) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    parent = RequestFormHelper(app.test_client())
    hidden = parent.open("fi")
    # The session cookie is gone (browser closed, or the session expired).
    fresh_browser = RequestFormHelper(app.test_client())
    response = fresh_browser.submit(
        "fi", hidden=hidden, description="Kirjoitin pitkään", name="Aino", topics=["finances"]
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Kirjoitin pitkään</textarea>" in html and 'value="Aino"' in html
    assert 'name="topics" value="finances" checked' in html
    assert "koska sivu oli ollut auki pitkään" in form_notice(html)
    new_hidden = hidden_fields(html)
    assert new_hidden["csrf_token"] and new_hidden["csrf_token"] != hidden["csrf_token"]
    assert new_hidden["submission_key"] == hidden["submission_key"]
    assert count_requests(app) == 0
    # Sending again with the fresh token works.
    again = fresh_browser.submit("fi", hidden=new_hidden, description="Kirjoitin pitkään")
    assert again.status_code == 303
    assert count_requests(app) == 1


def test_expired_token_keeps_the_text(app_factory, monkeypatch) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=60)
    helper = RequestFormHelper(app.test_client())
    hidden = helper.open("sv")
    import time as time_module

    real_time = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real_time() + 3600)
    response = helper.submit("sv", hidden=hidden, description="Länge skrivet")
    assert response.status_code == 400
    assert "Länge skrivet</textarea>" in response.get_data(as_text=True)
    assert count_requests(app) == 0


def test_post_without_csrf_token_is_refused(app_factory) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get("/fi/request")
    response = client.post("/fi/request", data={"phone": "0401234567", "submission_key": "a" * 32})
    assert response.status_code == 400
    assert count_requests(app) == 0


def test_refused_validations_do_not_use_up_the_submission_limit(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="2 per hour")
    helper = RequestFormHelper(app.test_client())
    for _ in range(20):
        assert helper.submit("fi", phone="", description="Ei numeroa").status_code == 422
    assert helper.submit("fi", description="Nyt numeron kanssa").status_code == 303
    assert count_requests(app) == 1
    # Stored ones still count: one more is stored, then the limit refuses (text kept).
    assert helper.submit("fi").status_code == 303
    refused = helper.submit("fi", description="Kolmas")
    assert refused.status_code == 429
    assert "Kolmas</textarea>" in refused.get_data(as_text=True)
    # ... and so do failed validations once the limit is reached.
    assert helper.submit("fi", phone="").status_code == 429
    assert count_requests(app) == 2


def test_the_form_page_after_sending_is_empty_and_sends_the_same_request(app, request_form) -> None:
    sent = request_form.submit("fi", description="Arkaluonteinen asia", name="Maija")
    assert sent.status_code == 303
    # The back button: the form page is fetched again in the same browser session.
    page = request_form.client.get("/fi/request")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Arkaluonteinen asia" not in html and "Maija" not in html
    assert 'id="sent-notice"' in html
    assert "Yhteydenottopyyntösi on lähetetty" in html.replace("\u00ad", "")  # a soft hyphen
    assert '<form id="request-form"' in html and 'novalidate autocomplete="off">' in html
    for field, purpose in (("name", "name"), ("phone", "tel"), ("email", "email")):
        assert re.search(rf'id="{field}" name="{field}" value=""\s+autocomplete="{purpose}"', html)
    hidden = hidden_fields(html)
    # Sent again empty: not a second request, and not taken for the first either.
    again = request_form.client.post("/fi/request", data=hidden)
    assert again.status_code == 409 and 'id="form-notice"' in again.get_data(as_text=True)
    assert count_requests(app) == 1
    # In the other language too.
    sv = request_form.client.get("/sv/request").get_data(as_text=True)
    assert hidden_fields(sv)["submission_key"] == hidden["submission_key"]
    assert "Din kontaktbegäran har skickats" in sv


def test_a_fresh_form_is_never_filled_in_again_from_the_history(client) -> None:
    """On a shared phone, Back after the quick exit opens the form page again: the browser
    must not bring back what was typed. The fields keep their purposes (WCAG 1.3.5)."""
    html = client.get("/fi/request").get_data(as_text=True)
    assert 'id="sent-notice"' not in html
    assert 'novalidate autocomplete="off">' in html
    assert 'autocomplete="tel"' in html and 'autocomplete="name"' in html


def test_starting_a_new_request_gives_a_new_form(app, request_form) -> None:
    request_form.submit("sv")
    sent_key = only_request(app).submission_key
    new = request_form.client.get("/sv/request/new")
    assert new.status_code == 303 and new.headers["Location"] == "/sv/request"
    html = request_form.client.get("/sv/request").get_data(as_text=True)
    assert 'id="sent-notice"' not in html
    assert hidden_fields(html)["submission_key"] != sent_key
    second = request_form.client.post(
        "/sv/request",
        data={**hidden_fields(html), "contact_method": "phone", "phone": "040 765 4321"},
    )
    assert second.status_code == 303
    assert count_requests(app) == 2


def test_a_removed_request_is_not_shown_as_sent(app, request_form) -> None:
    request_form.submit("fi")
    with app.app_context():
        db.session.delete(db.session.scalars(select(HelpRequest)).one())
        db.session.commit()
    html = request_form.client.get("/fi/request").get_data(as_text=True)
    assert 'id="sent-notice"' not in html


SWITCH_FIELDS = {
    "topics": ["finances", "moving"],
    "description": "Kesken – <b>halvt</b> skrivet",
    "child_ages": ["3-5"],
    "name": "Aino",
    "phone": "040 12",
    "call_time": "morning",
    "sms_ok": "yes",
    "email": "not-an-email",
}


@pytest.mark.parametrize(("left", "to"), [("fi", "sv"), ("sv", "fi")])
def test_switching_language_keeps_everything_typed_without_errors(
    app, request_form, left, to
) -> None:
    hidden = request_form.open(left)
    response = request_form.client.post(
        f"/{to}/request",
        data={**hidden, **SWITCH_FIELDS, "call_language": left, "switch_language": left},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{to}">' in html
    assert "Kesken – &lt;b&gt;halvt&lt;/b&gt; skrivet</textarea>" in html
    assert 'name="topics" value="finances" checked' in html
    assert 'name="topics" value="moving" checked' in html
    assert 'name="child_ages" value="3-5" checked' in html
    assert 'value="Aino"' in html and 'value="040 12"' in html and 'value="not-an-email"' in html
    assert 'name="call_time" value="morning" checked' in html
    assert 'name="sms_ok" value="yes" checked' in html
    # The call language was still the page's default: it follows the new language.
    assert f'name="call_language" value="{to}" checked' in html
    assert 'id="error-summary"' not in html and "field-error" not in html
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]
    assert hidden_fields(html)["csrf_token"]
    assert count_requests(app) == 0


def test_switching_language_is_never_rate_limited(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="1 per hour")
    helper = RequestFormHelper(app.test_client())
    assert helper.submit("fi").status_code == 303
    hidden = helper.open("fi")
    for _ in range(3):
        switched = helper.client.post(
            "/sv/request", data={**hidden, "description": "Teksti", "switch_language": "fi"}
        )
        assert switched.status_code == 200
    assert helper.submit("fi").status_code == 429
    assert count_requests(app) == 1


def test_a_form_sent_again_is_not_refused_by_the_rate_limit(app_factory) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="1 per hour")
    helper = RequestFormHelper(app.test_client())
    hidden = helper.open("sv")
    first = helper.submit("sv", hidden=hidden)
    again = helper.submit("sv", hidden=hidden)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count_requests(app) == 1


@pytest.mark.parametrize(
    ("lang", "text"),
    [("fi", "Voit myös soittaa perhekeskukseen:"), ("sv", "Du kan också ringa familjecentret:")],
)
def test_rate_limit_refusal_offers_the_family_centre_phone(app_factory, lang, text) -> None:
    app = app_factory(
        RATELIMIT_ENABLED=True, REQUEST_RATE_LIMIT="1 per hour", FAMILY_CENTRE_PHONE="08 558 45 000"
    )
    helper = RequestFormHelper(app.test_client())
    helper.submit(lang)
    refused = helper.submit(lang, description="Teksti")
    assert refused.status_code == 429
    notice = form_notice(refused.get_data(as_text=True))
    assert f"{text} 08 558 45 000" in notice
    assert '<a href="tel:+358855845000" id="family-centre-phone">08 558 45 000</a>' in (
        refused.get_data(as_text=True)
    )


def test_the_family_centre_phone_has_a_default(tmp_path, monkeypatch) -> None:
    from pyydaapua.web.config import from_environment

    monkeypatch.delenv("FAMILY_CENTRE_PHONE", raising=False)
    assert from_environment(str(tmp_path))["FAMILY_CENTRE_PHONE"] == "09 310 12345"
    monkeypatch.setenv("FAMILY_CENTRE_PHONE", "08 558 45 000")
    assert from_environment(str(tmp_path))["FAMILY_CENTRE_PHONE"] == "08 558 45 000"


def test_two_sends_of_one_form_racing_store_one_request(app, monkeypatch) -> None:
    from pyydaapua.intake import submission

    new = submission.NewRequest(
        submission_key="race" * 8, language="fi", call_language="fi", phone="+358401234567"
    )
    with app.app_context():
        first_id = submission.submit(new).id
        real_find = submission.find_by_submission
        looks: list[str] = []

        def late_find(key: str):
            # The other click's request is not visible yet when this one first looks.
            looks.append(key)
            return None if len(looks) == 1 else real_find(key)

        monkeypatch.setattr(submission, "find_by_submission", late_find)
        assert submission.submit(new).id == first_id
        assert len(looks) == 2  # the unique key refused the insert; the stored one was found
    assert count_requests(app) == 1


def test_the_form_page_after_sending_needs_no_database(app, request_form, monkeypatch) -> None:
    import psycopg
    from sqlalchemy.exc import OperationalError

    from pyydaapua.intake import public_session

    request_form.submit("fi", description="Arkaluonteinen asia")
    sent_key = only_request(app).submission_key

    def database_down(**_: object) -> None:
        raise OperationalError("SELECT", {}, psycopg.OperationalError("connection refused"))

    monkeypatch.setattr(public_session, "start", database_down)
    page = request_form.client.get("/fi/request")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Without the database nothing tells that a request was sent: a new, empty form.
    assert 'id="request-form"' in html and "Arkaluonteinen asia" not in html
    assert hidden_fields(html)["submission_key"] != sent_key


def test_a_language_switch_posted_again_after_sending_shows_nothing_typed(
    app, request_form
) -> None:
    hidden = request_form.open("fi")
    switch = {**hidden, "description": "Arkaluonteinen asia", "name": "Maija"}
    switched = request_form.client.post("/sv/request", data={**switch, "switch_language": "fi"})
    assert "Arkaluonteinen asia" in switched.get_data(as_text=True)
    sent = request_form.submit("sv", hidden=hidden, description="Arkaluonteinen asia")
    assert sent.status_code == 303
    # The switch's POST is still in the browser's history: sent again, it shows nothing typed.
    again = request_form.client.post("/sv/request", data={**switch, "switch_language": "fi"})
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "Arkaluonteinen asia" not in html and "Maija" not in html
    assert 'id="sent-notice"' in html
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]
    assert count_requests(app) == 1


@pytest.mark.parametrize(
    ("lang", "question"),
    [("fi", "Millä kielellä vastaamme sinulle?"), ("sv", "På vilket språk ska vi svara dig?")],
)
def test_the_language_question_fits_a_call_and_a_written_answer(client, lang, question) -> None:
    html = client.get(f"/{lang}/request/new", follow_redirects=True).get_data(as_text=True)
    assert question in html
    assert "soitamme sinulle?" not in html and "ringa dig?" not in html
