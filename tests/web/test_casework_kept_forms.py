"""The request page's fresh action forms, rendered once and kept (casework/kept_forms.py): what
a kept form gives is what rendering the form gives, in both languages and for each state of a
request that its forms show; a page whose forms are kept builds none of them; a form that was
sent is rendered as it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template
from flask_babel import force_locale
from flask_login import login_user
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from pyydaapua.casework import changes, kept_forms, views
from pyydaapua.casework.actions import PAGE_ACTIONS, Action
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.tools import demo
from tests.helpers.staff import make_staff


def new_request(contact_method: str = "phone", call_time: str = "morning", key: str = "k") -> int:
    demo.load_services()
    stored = submit(
        NewRequest(
            submission_key=f"{contact_method}-{call_time}-".ljust(32, key),
            language="fi",
            call_language="fi",
            phone="+358401234567",
            email="perhe@example.fi" if contact_method == "status_page" else "",
            contact_method=contact_method,
            call_time=call_time,
            description="Tarvitsemme apua",
            topics=["finances"],
        ),
        now=datetime.now(UTC) - timedelta(hours=2),
    )
    return stored.id


def compare_every_form(app, user_id: int, request_id: int, lang: str) -> int:
    """Each fresh form of the page, kept and as rendered; the number compared."""
    compared = 0
    with app.test_request_context("/staff/"), force_locale(lang):
        login_user(db.session.get(StaffUser, user_id))
        help_request = db.session.get(HelpRequest, request_id)
        forms = views.fresh_forms(help_request)
        for action in PAGE_ACTIONS:
            if action.region != "form" or action.name not in forms:
                continue
            fresh = forms[action.name]
            assert isinstance(fresh, kept_forms.FreshForm)
            kept = kept_forms.kept_form(action, fresh, help_request)
            rendered = render_template(action.host, form=fresh.form, req=help_request)
            assert kept is not None and str(kept) == rendered, (action.name, lang)
            assert "mark-" not in rendered and str(kept_forms._ID_MARK) not in rendered
            compared += 1
    return compared


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_kept_form_is_the_form_as_rendered(app, lang) -> None:
    user_id, _ = make_staff(app, "counsellor", lang)
    other_id, _ = make_staff(app, "counsellor", lang, name="Toinen Työntekijä")
    with app.app_context():
        phone = new_request("phone", "morning")
        planned = new_request("phone", "afternoon")
        proposed = new_request("phone", "afternoon", "p")  # as planned, but only proposed
        written = new_request("status_page", "any")
        closed = new_request("phone", "any")
        # The states the forms show, set directly.
        planned_request = db.session.get(HelpRequest, planned)
        planned_request.planned_call_at = changes.now_utc() + timedelta(days=3)
        planned_request.planned_call_agreed = True
        proposed_request = db.session.get(HelpRequest, proposed)
        proposed_request.planned_call_at = changes.now_utc() + timedelta(days=2)
        proposed_request.planned_call_agreed = False
        proposed_request.assigned_to_id = other_id
        closed_request = db.session.get(HelpRequest, closed)
        closed_request.status, closed_request.outcome = "closed", "no_need"
        db.session.commit()
    # Each case twice: the second time from what was kept; by two members of staff.
    for request_id in (phone, planned, proposed, written, closed) * 2:
        for who in (user_id, other_id):
            assert compare_every_form(app, who, request_id, lang) >= 1
    assert app.extensions[kept_forms._EXTENSION]
    # The message to the family is signed with the writer's first name, as it is now.
    with app.app_context():
        db.session.get(StaffUser, user_id).name = "Uusi Nimi"
        db.session.commit()
    assert compare_every_form(app, user_id, written, lang) >= 1
    # A new colleague is among the visit's staff; a service renamed is offered by its new name.
    make_staff(app, "counsellor", lang, name="Kolmas Työntekijä")
    with app.app_context():
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        service.name_fi = service.name_sv = "Uusi palvelu"
        db.session.commit()
    assert compare_every_form(app, other_id, phone, lang) >= 1


def test_a_form_that_was_sent_is_not_kept(app) -> None:
    user_id, _ = make_staff(app, "counsellor", "fi")
    with app.app_context():
        request_id = new_request()
    with app.test_request_context("/staff/"), force_locale("fi"):
        login_user(db.session.get(StaffUser, user_id))
        help_request = db.session.get(HelpRequest, request_id)
        fresh = views.fresh_forms(help_request)["note"]
        assert isinstance(fresh, kept_forms.FreshForm)
        assert kept_forms.kept_form(views.ACTIONS["note"], fresh, help_request) is not None
        kept_before = len(app.extensions[kept_forms._EXTENSION])
        refused = views.ACTIONS["note"].make_form(formdata=None, meta={"csrf": False})
        refused.note.errors = ["Kirjoita muistiinpano."]
        assert kept_forms.kept_form(views.ACTIONS["note"], refused, help_request) is None
        # Sent without errors and shown again (the request had changed meanwhile): what was
        # typed is shown from the form itself, never kept.
        again = views.ACTIONS["note"].make_form(
            formdata=None, meta={"csrf": False}, note="Perheen oma asia"
        )
        assert not again.errors
        assert kept_forms.kept_form(views.ACTIONS["note"], again, help_request) is None
        assert len(app.extensions[kept_forms._EXTENSION]) == kept_before


def test_a_page_whose_forms_are_kept_builds_only_the_owner_form(
    staff_client, app, monkeypatch
) -> None:
    """The owner's form is written in the header itself; every other fresh form comes from
    the kept forms without being built."""
    client = staff_client("counsellor")
    with app.app_context():
        first, second = new_request("phone", "morning"), new_request("phone", "morning", "s")
    built: list[str] = []
    make_form = Action.make_form

    def counted(self: Action, *args: object, **kwargs: object) -> object:
        built.append(self.name)
        return make_form(self, *args, **kwargs)

    monkeypatch.setattr(Action, "make_form", counted)
    client.get(f"/staff/requests/{first}")
    assert "call" in built and "note" in built  # the first page renders them to keep
    built.clear()
    page = client.get(f"/staff/requests/{second}").get_data(as_text=True)
    assert first != second and built == ["assign"]
    assert f'action="/staff/requests/{second}/calls"' in page


def test_each_page_gets_its_own_token_version_and_times(staff_client, app) -> None:
    client = staff_client("counsellor")
    with app.app_context():
        first, second = new_request("phone", "morning"), new_request("phone", "morning", "s")
    pages = [client.get(f"/staff/requests/{rid}").get_data(as_text=True) for rid in (first, second)]
    for rid, page in zip((first, second), pages, strict=True):
        assert f'action="/staff/requests/{rid}/calls"' in page
        assert "mark-" not in page and str(kept_forms._ID_MARK) not in page
        assert str(kept_forms._VERSION_MARK) not in page


def test_every_default_worked_out_per_page_is_a_marked_time() -> None:
    """A kept form's key holds no field's own default: a default that a function works out
    (now, the next working day) must be a time written in per page, or a kept form would show
    the day it was kept."""
    for action in PAGE_ACTIONS:
        for name in dir(action.form):
            unbound = getattr(action.form, name)
            if isinstance(unbound, UnboundField) and callable(unbound.kwargs.get("default")):
                assert name in kept_forms.marked_defaults(action), (action.name, name)
