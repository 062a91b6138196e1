"""The parent's request form under odd input: never a 5xx; a stored request holds exactly what
the form accepted; a refused one shows the typed text again."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest
from pyydaapua.rules.codes import CALL_TIMES, CHILD_AGES, CONTACT_METHODS, LANGUAGES, TOPICS
from tests.helpers.forms import hidden_fields
from tests.property import strategies
from tests.property.tally import send

PHONES = ["040 123 4567", "+358 40 123 4567", "0401234567", "+46 70 123 45 67", "112"]
EMAILS = ["", "aino@example.fi", "a@b", "äiti@esimerkki.fi", "x@" + "y" * 300 + ".fi"]
KEYS = st.one_of(
    st.uuids().map(lambda key: key.hex),  # what our page sends (a fresh one each time)
    st.uuids().map(lambda key: key.hex),
    st.sampled_from(["", "short", "x" * 65, "a" * 31 + "!", "ä" * 32]),
    strategies.any_text,
)
SPEC = {
    "topics": strategies.choice(TOPICS),
    "description": strategies.text,
    "child_ages": strategies.choice(CHILD_AGES),
    "name": strategies.text,
    "contact_method": strategies.choice(CONTACT_METHODS),
    "phone": st.one_of(st.sampled_from(PHONES), st.sampled_from(PHONES), strategies.text),
    "call_time": strategies.choice(CALL_TIMES),
    "sms_ok": strategies.choice(["yes", "no"]),
    "email": st.one_of(st.sampled_from(EMAILS), strategies.text),
    "call_language": strategies.choice(LANGUAGES),
    "submission_key": KEYS,
    "contact_me_by_fax": st.sampled_from(["", "", "", "", "", "", "", "", "", "fax"]),
}
# Each text field, and whether it is a multi-line one.
TEXT_FIELDS = {"description": True, "name": False, "email": False}


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HelpRequest)) or 0


def newest(app) -> HelpRequest:
    with app.app_context():
        stored = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id.desc())).first()
        stored.topic_codes  # noqa: B018 - loaded while the session is open
        return stored


@given(items=strategies.fields(SPEC), lang=st.sampled_from(LANGUAGES), headers=strategies.htmx)
def test_request_form(app, items, lang, headers) -> None:
    client = app.test_client()
    token = hidden_fields(client.get(f"/{lang}/request").get_data(as_text=True))["csrf_token"]
    before = count(app)
    response = send(
        "public: request form",
        client,
        "POST",
        f"/{lang}/request",
        data=strategies.form(token, items),
        headers=headers,
    )
    location = response.headers.get("Location") or response.headers.get("HX-Redirect")
    if response.status_code in (303, 204):
        if strategies.first(items, "contact_me_by_fax"):
            assert location == f"/{lang}/" and count(app) == before
            return
        # The address holds no key: the confirmation is found by the browser's session.
        assert location == f"/{lang}/request/sent"
        if count(app) == before:  # the same form was sent before: that request is the answer
            assert strategies.first(items, "submission_key")
            return
        assert count(app) == before + 1
        stored = newest(app)
        for name, multiline in TEXT_FIELDS.items():
            assert getattr(stored, name) == strategies.accepted(
                strategies.first(items, name), multiline
            ), name
        sent_topics = [value for key, value in items if key == "topics" and value]
        assert stored.topic_codes == sorted(set(sent_topics), key=TOPICS.index)
        return
    assert count(app) == before
    # 409: a different text posted with a used key comes back, not stored.
    if response.status_code in (400, 409, 415, 422, 429):
        html = response.get_data(as_text=True)
        for name, multiline in TEXT_FIELDS.items():
            assert (
                str(escape(strategies.shown_again(strategies.first(items, name), multiline)))
                in html
            ), name
