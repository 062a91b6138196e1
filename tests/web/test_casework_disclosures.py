"""Referrals with the family's consent, and the disclosure log (Client Data Act 703/2023): the
referral form records the consent and, with consent given, what is passed on, to whom and
when; each disclosure is one entry in the log shown on the request page, in the family's
export and in who has handled; the reports count the referrals by consent, also after
retention has removed the personal data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.casework import changes
from pyydaapua.data_rights import retention
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import (
    AuditEvent,
    Disclosure,
    HelpRequest,
    Referral,
    Service,
    StaffUser,
    TimelineEvent,
)
from pyydaapua.rules.references import format_reference
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.tools import demo
from tests.helpers.forms import csrf_token


@pytest.fixture
def request_id(app) -> int:
    with app.app_context():
        demo.load_services()
        stored = submit(
            NewRequest(
                submission_key="d" * 32,
                language="fi",
                call_language="fi",
                phone="+358401234567",
                description="Tarvitsemme apua",
                topics=["finances"],
            ),
            now=datetime.now(UTC) - timedelta(hours=2),
        )
        return stored.id


def _service(app) -> Service:
    with app.app_context():
        return db.session.scalars(select(Service).order_by(Service.id)).first()


def _version(app, request_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpRequest, request_id).version


def _minutes_ago(minutes: int) -> str:
    return (datetime.now(HELSINKI) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _refer(app, client, request_id: int, htmx: bool = False, **fields: str | list[str]):
    data: dict[str, object] = {
        "csrf_token": csrf_token(client),
        "referral-version": _version(app, request_id),
        "referral-service": str(_service(app).id),
        "referral-status": "sent",
    }
    data |= {f"referral-{name}": value for name, value in fields.items()}
    return client.post(
        f"/staff/requests/{request_id}/referrals",
        data=data,
        headers={"HX-Request": "true"} if htmx else {},
    )


def _given(app, client, request_id: int, htmx: bool = False):
    """A referral with consent given: contact details and the children's ages, to the
    service's team 2, a quarter of an hour ago."""
    return _refer(
        app,
        client,
        request_id,
        htmx,
        consent="given",
        categories=["contact", "children"],
        recipient_unit="Tiimi 2",
        disclosed_at=_minutes_ago(15),
    )


def _disclosures(app, request_id: int) -> list[Disclosure]:
    with app.app_context():
        return list(
            db.session.scalars(select(Disclosure).where(Disclosure.request_id == request_id))
        )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_consent_given_writes_one_disclosure_with_the_referral(
    app, staff_client, request_id, htmx
) -> None:
    counsellor = staff_client("counsellor")
    service = _service(app)
    response = _given(app, counsellor, request_id, htmx)
    assert response.status_code == (200 if htmx else 303)
    (disclosure,) = _disclosures(app, request_id)
    with app.app_context():
        referral = db.session.scalars(
            select(Referral).where(Referral.request_id == request_id)
        ).one()
        entries = db.session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.request_id == request_id)
            .order_by(TimelineEvent.id)
        ).all()
        audited = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.request_id == request_id)
            .order_by(AuditEvent.id)
        ).all()
        user_id = entries[-1].user_id
    assert referral.consent == "given"
    assert disclosure.referral_id == referral.id
    assert disclosure.categories == "contact,children"
    assert disclosure.recipient == f"{service.name_fi} – Tiimi 2"
    assert (disclosure.basis, disclosure.user_id) == ("given", user_id)
    # When: the time typed (a quarter of an hour ago), to the minute.
    assert timedelta(minutes=14) <= datetime.now(UTC) - disclosure.at <= timedelta(minutes=17)
    assert [e.kind for e in entries] == ["referral", "disclosure"]
    assert entries[-1].value == "contact,children"
    # The referral's own event and the disclosure's, in the same transaction.
    assert audited[-2:] == ["request_referral", "information_disclosed"]


def test_the_request_page_shows_the_disclosure_log_and_the_timeline_says_it(
    app, staff_client, request_id
) -> None:
    counsellor = staff_client("counsellor")
    service = _service(app)
    _given(app, counsellor, request_id)
    html = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    referrals = re.search(r'<section id="referrals".*?</section>\s*</section>', html, re.S)
    log = re.search(r'<section class="disclosure-log" id="disclosures".*?</section>', html, re.S)
    assert referrals is not None and log is not None
    assert log.group(0) in referrals.group(0)  # in the referrals region, which htmx replaces
    text = log.group(0)
    assert "Välitetyt tiedot (luovutusloki)" in text
    assert "Yhteystiedot: nimi, puhelinnumero, sähköposti" in text
    assert "Lasten iät" in text
    assert f"{service.name_fi} – Tiimi 2" in text
    assert "Perheen suostumus, annettu puhelussa" in text
    assert "Test counsellor" in text
    assert "Suostumus annettu puhelussa: tiedot välitetään palveluun" in referrals.group(0)
    timeline = re.search(r'<section id="timeline".*?</section>', html, re.S).group(0)
    assert (
        f"välitti tietoja palveluun {service.name_fi}: Yhteystiedot: nimi, puhelinnumero, "
        "sähköposti; Lasten iät" in timeline
    )
    assert "suostumus annettu, tiedot välitetty" in timeline


def test_the_family_contacts_the_service_themselves_nothing_is_logged(
    app, staff_client, request_id
) -> None:
    counsellor = staff_client("counsellor", language="sv")
    assert _refer(app, counsellor, request_id, consent="self").status_code == 303
    assert _disclosures(app, request_id) == []
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        assert referral.consent == "self"
    html = counsellor.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert "Familjen kontaktar tjänsten själv: inga uppgifter lämnas ut" in html
    assert "Inga av familjens uppgifter har lämnats ut." in html


# Each refusal: what is sent, the message (fi), and the message (sv).
REFUSED = {
    "no consent": (
        {"note": "Soittakaa"},
        "Valitse, antoiko perhe suostumuksen tietojensa välittämiseen.",
        "Välj om familjen samtyckte till att deras uppgifter lämnas ut.",
    ),
    "given, nothing chosen": (
        {"consent": "given", "recipient_unit": "Tiimi <2>", "disclosed_at": _minutes_ago(5)},
        "Valitse, mitä tietoja palveluun välitetään: vähintään yksi.",
        "Välj vilka uppgifter som lämnas ut till tjänsten: minst en.",
    ),
    "self, with categories": (
        {"consent": "self", "categories": ["request"], "note": "Soittakaa <heille>"},
        "Tietoja ei välitetä, kun perhe ottaa itse yhteyttä palveluun tai ei halunnut tietojaan "
        "välitettävän.",
        "Inga uppgifter lämnas ut när familjen själv kontaktar tjänsten eller inte ville att "
        "deras uppgifter lämnas ut.",
    ),
    "declined, with categories": (
        {"consent": "declined", "categories": ["contact", "calls"]},
        "Tietoja ei välitetä, kun perhe ottaa itse yhteyttä palveluun tai ei halunnut tietojaan "
        "välitettävän.",
        "Inga uppgifter lämnas ut när familjen själv kontaktar tjänsten eller inte ville att "
        "deras uppgifter lämnas ut.",
    ),
    "given, in the future": (
        {
            "consent": "given",
            "categories": ["contact"],
            "disclosed_at": (datetime.now(HELSINKI) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
        "Tietojen välittämisen aika ei voi olla tulevaisuudessa.",
        "Tidpunkten då uppgifterna lämnades ut kan inte vara i framtiden.",
    ),
    "given, before the request": (
        {"consent": "given", "categories": ["contact"], "disclosed_at": _minutes_ago(600)},
        "Tietoja ei voi välittää ennen kuin yhteydenottopyyntö lähetettiin.",
        "Uppgifter kan inte lämnas ut innan kontaktbegäran skickades.",
    ),
}


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_referral_says_why_and_keeps_what_was_typed(
    app, staff_client, request_id, case, htmx, lang
) -> None:
    fields, finnish, swedish = REFUSED[case]
    counsellor = staff_client("counsellor", language=lang)
    response = _refer(app, counsellor, request_id, htmx, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (finnish if lang == "fi" else swedish) in html
    assert ("<html" in html) is not htmx
    if "note" in fields:
        assert str(fields["note"]).replace("<", "&lt;").replace(">", "&gt;") in html
    if "recipient_unit" in fields:
        assert 'value="Tiimi &lt;2&gt;"' in html
    for code in fields.get("categories", []):
        assert f'name="referral-categories" value="{code}" checked' in html
    if "categories" in fields or "recipient_unit" in fields:
        assert 'class="consent-given consent-given-shown"' in html  # shown, to see why
    with app.app_context():
        assert db.session.scalars(select(Referral)).all() == []
    assert _disclosures(app, request_id) == []


def test_the_form_offers_consent_and_what_is_passed_on(app, staff_client, request_id) -> None:
    html = staff_client("counsellor").get(f"/staff/requests/{request_id}").get_data(as_text=True)
    form = re.search(r'<form id="form-referral".*?</form>', html, re.S).group(0)
    consents = re.findall(r'name="referral-consent" value="(\w+)"', form)
    assert consents == ["given", "self", "declined"] and "checked" not in form
    categories = re.findall(
        r'type="checkbox" id="[^"]+" name="referral-categories" value="(\w+)"', form
    )
    assert categories == ["contact", "request", "calls", "children", "coping"]
    # Shown by the stylesheet once consent is given; in the page's HTML either way.
    assert 'class="consent-given" id="referral-disclosure"' in form
    assert 'name="referral-recipient_unit"' in form and 'name="referral-disclosed_at"' in form


@pytest.fixture
def disclosed(app, staff_client, request_id) -> dict[str, object]:
    """A referral with consent given, then the request closed."""
    counsellor = staff_client("counsellor")
    _given(app, counsellor, request_id)
    with app.app_context():
        req = db.session.get(HelpRequest, request_id)
        worker = db.session.get(TimelineEvent, db.session.scalar(select(TimelineEvent.id))).user
        changes.change_status(
            req, worker, req.version, "closed", "referred_city", open_work_seen=True
        )
        return {"reference": req.reference, "service": _service(app).name_fi}


def test_the_familys_export_holds_the_disclosure_log(app, staff_client, request_id, disclosed):
    supervisor = staff_client("supervisor")
    data = json.loads(
        supervisor.get(f"/staff/requests/{request_id}/export.json").get_data(as_text=True)
    )
    (referral,) = data["referrals"]
    assert referral["consent"] == "given"
    (entry,) = data["disclosures"]
    assert entry["categories"] == ["contact", "children"]
    assert entry["recipient"] == f"{disclosed['service']} – Tiimi 2"
    assert (entry["basis"], entry["by"], entry["referral_id"]) == (
        "given",
        "Test counsellor",
        referral["id"],
    )
    assert datetime.fromisoformat(entry["at"]).tzinfo is not None
    page = supervisor.get(f"/staff/requests/{request_id}/export").get_data(as_text=True)
    log = re.search(
        r'<section class="disclosure-log" id="export-disclosures".*?</section>', page, re.S
    )
    assert log is not None and "Lasten iät" in log.group(0)
    assert '<h2 id="export-disclosures-title">Välitetyt tiedot (luovutusloki)</h2>' in page


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_who_has_handled_lists_the_disclosures_as_such(
    app, staff_client, request_id, disclosed, lang
) -> None:
    supervisor = staff_client("supervisor", language=lang)
    shown = format_reference(disclosed["reference"])
    html = supervisor.get(f"/staff/access-log?reference={shown}").get_data(as_text=True)
    log = re.search(
        r'<section class="disclosure-log" id="access-disclosures".*?</section>', html, re.S
    )
    assert log is not None
    words = {
        "fi": (
            "Välitetyt tiedot (luovutusloki)",
            "Lasten iät",
            "välitti perheen tietoja palveluun",
        ),
        "sv": (
            "Utlämnade uppgifter (logg över utlämnanden)",
            "Barnens åldrar",
            "lämnade ut familjens uppgifter till en tjänst",
        ),
    }[lang]
    assert words[0] in log.group(0) and words[1] in log.group(0)
    assert f"{disclosed['service']} – Tiimi 2" in log.group(0)
    assert words[2] in html  # the audit event, in the list of reads and changes
    csv_text = supervisor.get(f"/staff/access-log.csv?reference={shown}").get_data(as_text=True)
    assert words[2] in csv_text


def _report_csv(client, start: date, end: date) -> list[list[str]]:
    response = client.get(f"/staff/reports.csv?table=referrals_by_consent&start={start}&end={end}")
    assert response.status_code == 200
    return list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )


def test_the_reports_count_referrals_by_consent_also_after_retention(
    app, staff_client, request_id, disclosed
) -> None:
    """Given (the fixture), self, declined and one recorded before consent was asked; the
    counts are the same after retention has removed the personal data."""
    with app.app_context():
        req = db.session.get(HelpRequest, request_id)
        worker = db.session.scalars(select(StaffUser).where(StaffUser.role == "counsellor")).one()
        for consent in ("self", "declined", None):
            other = submit(
                NewRequest(
                    submission_key=f"{consent}".ljust(32, "x"),
                    language="sv",
                    call_language="sv",
                    phone="+358401234568",
                ),
                now=datetime.now(UTC) - timedelta(hours=1),
            )
            changes.refer(
                other,
                worker,
                other.version,
                _service(app),
                "suggested",
                "Hänvisad",
                changes.ConsentData(consent) if consent else None,
            )
            changes.change_status(other, worker, other.version, "closed", "referred_city")
        assert req.status == "closed"
    today = datetime.now(HELSINKI).date()
    start, end = today - timedelta(days=30), today
    expected = {
        "fi": [
            ["Suostumus", "Ohjauksia"],
            ["Suostumus annettu, tiedot välitetty", "1"],
            ["Perhe ottaa itse yhteyttä palveluun", "1"],
            ["Kieltäytyi, tietoja ei välitetty", "1"],
            ["Suostumusta ei kirjattu", "1"],
            ["Yhteensä", "4"],
        ],
        "sv": [
            ["Samtycke", "Hänvisningar"],
            ["Samtycke givet, uppgifter utlämnade", "1"],
            ["Familjen kontaktar tjänsten själv", "1"],
            ["Tackade nej, inga uppgifter utlämnade", "1"],
            ["Samtycke inte antecknat", "1"],
            ["Totalt", "4"],
        ],
    }
    supervisors = {lang: staff_client("supervisor", language=lang) for lang in ("fi", "sv")}
    for lang, client in supervisors.items():
        assert _report_csv(client, start, end) == expected[lang]
    page = supervisors["fi"].get(f"/staff/reports?start={start}&end={end}").get_data(as_text=True)
    assert "Ohjaukset perheen suostumuksen mukaan" in page

    with app.app_context():
        result = retention.run(1, apply=True, now=datetime.now(UTC) + timedelta(days=70))
        assert result.count == 4
        assert {r.note for r in db.session.scalars(select(Referral))} == {""}  # notes gone
        (kept,) = db.session.scalars(select(Disclosure)).all()  # the log is kept
        assert (kept.categories, kept.basis) == ("contact,children", "given")
    for lang, client in supervisors.items():
        assert _report_csv(client, start, end) == expected[lang]
