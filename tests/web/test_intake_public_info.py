"""The deployment's contact details on the public pages: settings read from the environment,
the emergency numbers and the quick exit on every public page, the confirmation, the privacy
notice and the accessibility statement, in Finnish and Swedish."""

from __future__ import annotations

import logging
import re
from datetime import date, time
from pathlib import Path

import pytest

from pyydaapua import create_app
from pyydaapua.rules.opening_hours import OpeningHours
from pyydaapua.web.config import PUBLIC_DEMO_SETTINGS, ConfigError, from_environment
from tests.helpers.forms import RequestFormHelper

PUBLIC_PAGES = ["/", "/request", "/privacy", "/accessibility", "/no-such-page"]


def clear_public_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PUBLIC_DEMO_SETTINGS, "QUICK_EXIT_URL"):
        for key in (name, f"{name}_FI", f"{name}_SV"):
            monkeypatch.delenv(key, raising=False)


def test_public_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clear_public_settings(monkeypatch)
    monkeypatch.setenv("FAMILY_CENTRE_PHONE", "08 558 12345")
    monkeypatch.setenv("FAMILY_CENTRE_HOURS", "mon-thu 8:30-16; fri 8-14")
    monkeypatch.setenv("CONTROLLER_NAME_FI", "Pohjois-Pohjanmaan hyvinvointialue")
    monkeypatch.setenv("CRISIS_LINE_PHONE_SV", "09 2525 0112")
    monkeypatch.setenv("QUICK_EXIT_URL", "https://www.ilmatieteenlaitos.fi/")
    monkeypatch.setenv("ACCESSIBILITY_STATEMENT_REVIEWED", "2027-01-15")
    config = from_environment(str(tmp_path))
    assert config["FAMILY_CENTRE_PHONE"] == "08 558 12345"
    assert config["FAMILY_CENTRE_HOURS"] == (
        OpeningHours(0, 3, time(8, 30), time(16)),
        OpeningHours(4, 4, time(8), time(14)),
    )
    # Only the Finnish name given: the Swedish page shows it too, never the demo name.
    assert config["CONTROLLER_NAME"] == {
        "fi": "Pohjois-Pohjanmaan hyvinvointialue",
        "sv": "Pohjois-Pohjanmaan hyvinvointialue",
    }
    assert config["CRISIS_LINE_PHONE"]["sv"] == "09 2525 0112"
    assert config["QUICK_EXIT_URL"] == "https://www.ilmatieteenlaitos.fi/"
    assert config["ACCESSIBILITY_STATEMENT_REVIEWED"] == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAMILY_CENTRE_HOURS", "weekdays 9-15"),
        ("ACCESSIBILITY_STATEMENT_PREPARED", "1.12.2026"),
        ("ACCESSIBILITY_STATEMENT_REVIEWED", "2026-13-01"),
        ("QUICK_EXIT_URL", "javascript:history.back()"),
        ("QUICK_EXIT_URL", "www.google.com"),
    ],
)
def test_an_unreadable_setting_stops_the_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    clear_public_settings(monkeypatch)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        from_environment(str(tmp_path))


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    clear_public_settings(monkeypatch)
    for name in ("FLASK_DEBUG", "ALLOW_SQLITE_IN_PRODUCTION", "ALLOW_MEMORY_RATE_LIMITS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal:5432/pyydaapua")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/0")
    return monkeypatch


def test_production_starts_with_demo_values_but_warns_naming_them(
    production_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    production_env.setenv("FAMILY_CENTRE_PHONE", "08 558 12345")
    production_env.setenv("CONTROLLER_NAME_FI", "Oulun kaupunki")
    with caplog.at_level(logging.WARNING):
        create_app()
    warnings = [record.getMessage() for record in caplog.records if "demo" in record.getMessage()]
    assert len(warnings) == 1
    assert "DPO_EMAIL" in warnings[0] and "ACCESSIBILITY_STATEMENT_PREPARED" in warnings[0]
    assert "FAMILY_CENTRE_PHONE" not in warnings[0]
    assert "CONTROLLER_NAME" not in warnings[0]


def test_production_with_every_public_setting_given_does_not_warn(
    production_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in PUBLIC_DEMO_SETTINGS:
        production_env.setenv(name, "2026-12-01" if "STATEMENT" in name else "x")
    production_env.setenv("FAMILY_CENTRE_HOURS", "mon-fri 9-15")
    with caplog.at_level(logging.WARNING):
        create_app()
    assert not [record for record in caplog.records if "demo" in record.getMessage()]


def test_development_does_not_warn(
    monkeypatch: pytest.MonkeyPatch, app_factory, caplog: pytest.LogCaptureFixture
) -> None:
    clear_public_settings(monkeypatch)
    with caplog.at_level(logging.WARNING):
        app_factory()
    assert not [record for record in caplog.records if "demo" in record.getMessage()]


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_the_emergency_numbers_and_the_quick_exit(
    app_factory, lang: str, path: str
) -> None:
    app = app_factory(
        SOCIAL_EMERGENCY_PHONE="08 558 62000",
        SOCIAL_EMERGENCY_NAME={"fi": "Oulun sosiaalipäivystys", "sv": "Uleåborgs socialjour"},
        CRISIS_LINE_PHONE={"fi": "09 2525 0111", "sv": "09 2525 0112"},
        QUICK_EXIT_URL="https://www.ilmatieteenlaitos.fi/",
    )
    html = app.test_client().get(f"/{lang}{path}").get_data(as_text=True)
    emergency = html.split('id="emergency"')[1].split("</section>")[0]
    assert '<a class="phone" href="tel:112">112</a>' in emergency
    name = "Oulun sosiaalipäivystys" if lang == "fi" else "Uleåborgs socialjour"
    assert f'{name}</span> <a class="phone" href="tel:+358855862000">08 558 62000</a>' in emergency
    crisis = "09 2525 0111" if lang == "fi" else "09 2525 0112"
    assert f">{crisis}</a>" in emergency
    assert ("Hätänumero" if lang == "fi" else "Nödnummer") in emergency
    quick_exit = re.search(r"<a class=\"quick-exit\"[^>]*>([^<]*)</a>", html)
    assert quick_exit is not None
    # Through our own address, which ends the session, to the neutral site.
    assert f'href="/{lang}/exit"' in quick_exit.group(0)
    assert "data-quick-exit" in quick_exit.group(0)
    # The shortcut is its description, so that the name stays what is seen (WCAG 2.5.3).
    assert 'aria-describedby="quick-exit-key"' in quick_exit.group(0)
    shortcut = (
        "tai paina Esc-näppäintä kahdesti" if lang == "fi" else "eller tryck två gånger på Esc"
    )
    assert f'id="quick-exit-key">{shortcut}</span>' in html
    assert quick_exit.group(1) == (
        "Poistu sivulta nopeasti" if lang == "fi" else "Lämna sidan snabbt"
    )
    exit_ = app.test_client().get(f"/{lang}/exit")
    assert exit_.status_code == 303
    assert exit_.headers["Location"] == "https://www.ilmatieteenlaitos.fi/"


def test_the_kept_public_information_follows_the_language_and_the_settings(app_factory) -> None:
    """The footer's information is made once per language and settings, and kept: a setting
    changed on a running app (as tests do) and the other language show their own."""
    app = app_factory(SOCIAL_EMERGENCY_PHONE="08 558 62000")
    client = app.test_client()

    def emergency(lang: str) -> str:
        html = client.get(f"/{lang}/").get_data(as_text=True)
        return html.split('id="emergency"')[1].split("</section>")[0]

    assert 'href="tel:+358855862000">08 558 62000</a>' in emergency("fi")
    assert "Hätänumero" in emergency("fi")
    assert "Nödnummer" in emergency("sv")
    app.config["SOCIAL_EMERGENCY_PHONE"] = "09 310 10023"
    assert 'href="tel:+358931010023">09 310 10023</a>' in emergency("fi")
    assert "08 558 62000" not in emergency("sv")


def test_staff_pages_have_no_quick_exit(client) -> None:
    html = client.get("/staff/login").get_data(as_text=True)
    assert "quick-exit" not in html


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fi",
            [
                "maanantai–torstai klo 8.30–16.00",
                "perjantai klo 8.00–14.00",
                "Onko numero väärin?",
                "Jos kukaan ei ole soittanut sinulle viimeistään <time",
                "perua",
            ],
        ),
        (
            "sv",
            [
                "måndag–torsdag kl. 8.30–16.00",
                "fredag kl. 8.00–14.00",
                "Är numret fel?",
                "Om ingen har ringt dig senast <time",
                "ta tillbaka den",
            ],
        ),
    ],
)
def test_the_anonymous_parent_can_check_the_confirmation(app_factory, lang, texts) -> None:
    app = app_factory(
        FAMILY_CENTRE_PHONE="08 558 12345",
        FAMILY_CENTRE_HOURS=(
            OpeningHours(0, 3, time(8, 30), time(16)),
            OpeningHours(4, 4, time(8), time(14)),
        ),
    )
    helper = RequestFormHelper(app.test_client())
    sent = helper.submit(lang, name="", phone="+358 40 123 4567")
    assert sent.status_code == 303
    html = helper.client.get(sent.headers["Location"]).get_data(as_text=True)
    assert '<strong class="phone-check" id="phone-number">040 123 4567</strong>' in html
    assert 'id="family-centre-phone" href="tel:+358855812345">08 558 12345</a>' in html
    for text in texts:
        assert text in html, text


def test_no_opening_hours_set_shows_no_hours(app_factory) -> None:
    app = app_factory(FAMILY_CENTRE_HOURS=())
    helper = RequestFormHelper(app.test_client())
    html = helper.client.get(helper.submit("fi").headers["Location"]).get_data(as_text=True)
    assert 'id="family-centre-phone"' in html
    assert 'id="opening-hours"' not in html


@pytest.fixture
def deployment(app_factory):
    return app_factory(
        CONTROLLER_NAME={"fi": "Oulun kaupunki", "sv": "Uleåborgs stad"},
        CONTROLLER_ADDRESS={"fi": "PL 1, 90015 Oulun kaupunki", "sv": "PB 1, 90015 Uleåborgs stad"},
        DPO_EMAIL="tietosuojavastaava@ouka.example",
        DPO_PHONE="",
        ACCESSIBILITY_FEEDBACK_EMAIL="saavutettavuus@ouka.example",
        ACCESSIBILITY_STATEMENT_PREPARED=date(2026, 3, 5),
        ACCESSIBILITY_STATEMENT_REVIEWED=date(2026, 11, 30),
    )


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fi",
            [
                "Rekisterinpitäjä on Oulun kaupunki",
                "PL 1, 90015 Oulun kaupunki",
                "6 artiklan 1 kohdan e alakohta",
                "9 artiklan 2 kohdan h alakohdan",
                "(703/2023)",
                "sosiaalihuoltolain (1301/2014)",
                "Tietosuojavaltuutetun toimisto",
            ],
        ),
        (
            "sv",
            [
                "Personuppgiftsansvarig är Uleåborgs stad",
                "PB 1, 90015 Uleåborgs stad",
                "artikel 6.1 e",
                "artikel 9.2 h",
                "(703/2023)",
                "socialvårdslagen (1301/2014)",
                "Dataombudsmannens byrå",
            ],
        ),
    ],
)
def test_privacy_notice_names_controller_dpo_and_legal_basis(deployment, lang, texts) -> None:
    html = deployment.test_client().get(f"/{lang}/privacy").get_data(as_text=True)
    for text in texts:
        assert text in html, text
    assert (
        '<a href="mailto:tietosuojavastaava@ouka.example">tietosuojavastaava@ouka.example</a>'
    ) in html
    assert "tel:" not in html.split('id="data-protection-officer"')[1].split("</ul>")[0]


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fi",
            [
                "täyttää WCAG 2.2 -ohjeiden AA-tason saavutettavuusvaatimukset osittain",
                'laadittu <time datetime="2026-03-05">5.3.2026</time>',
                'viimeksi tarkistettu <time datetime="2026-11-30">30.11.2026</time>',
                "itsearviointi",
                "axe-core",
                "14 päivän kuluessa",
                "Liikenne- ja viestintävirasto Traficom",
                "https://www.saavutettavuusvaatimukset.fi/",
            ],
        ),
        (
            "sv",
            [
                "uppfyller delvis tillgänglighetskraven",
                'utarbetats den <time datetime="2026-03-05">5.3.2026</time>',
                'senast granskats den <time datetime="2026-11-30">30.11.2026</time>',
                "självbedömning",
                "axe-core",
                "inom 14 dagar",
                "Transport- och kommunikationsverket Traficom",
                "https://www.tillganglighetskrav.fi/",
            ],
        ),
    ],
)
def test_accessibility_statement_follows_the_model(deployment, lang, texts) -> None:
    html = deployment.test_client().get(f"/{lang}/accessibility").get_data(as_text=True)
    for text in texts:
        assert text in html, text
    known = html.split('id="known-problems"')[1].split("</ul>")[0]
    assert known.count("<li>") == 1 and "WCAG 2.2.1" in known
    feedback = html.split('id="accessibility-feedback"')[1].split("</ul>")[0]
    assert 'href="mailto:saavutettavuus@ouka.example"' in feedback
    authority = html.split('id="supervisory-authority"')[1].split("</p>")[0]
    assert 'href="mailto:saavutettavuus@traficom.fi"' in authority
    assert '<a href="tel:+358295345000">029 534 5000</a>' in authority


def test_the_phone_number_is_shown_only_to_the_browser_session_that_sent_it(app) -> None:
    """The confirmation's address holds nothing: opened in another browser session (a shared
    phone, later) it shows no family content at all, not even the reference."""
    helper = RequestFormHelper(app.test_client())
    sent = helper.submit("fi", phone="+358 40 123 4567")
    location = sent.headers["Location"]
    assert location == "/fi/request/sent"
    own = helper.client.get(location).get_data(as_text=True)
    assert 'id="phone-number">040 123 4567<' in own
    other = app.test_client().get(location)
    html = other.get_data(as_text=True)
    assert other.status_code == 200 and 'id="confirmation-gone"' in html
    assert "040 123 4567" not in html and 'id="reference"' not in html
