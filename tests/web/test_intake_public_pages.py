"""Every public page, in Finnish and Swedish, with its language switcher and footer."""

from __future__ import annotations

import re

import pytest

PAGES = ["/", "/request", "/privacy", "/accessibility"]
LANGS = {"fi": "sv", "sv": "fi"}
TITLES = {
    ("fi", "/"): "Pyydä apua",
    ("sv", "/"): "Be om hjälp",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_is_in_its_language_with_a_switcher(client, lang, page) -> None:
    response = client.get(f"/{lang}{page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    other = LANGS[lang]
    if page == "/request":
        # On the form, the switch is a button of the form: it carries what is typed.
        assert (
            f'form="request-form" formaction="/{other}/request"\n'
            f'    name="switch_language" value="{lang}" lang="{other}"'
        ) in html
    else:
        assert f'href="/{other}{page}" lang="{other}" hreflang="{other}"' in html
    assert f'href="/{lang}/privacy"' in html
    assert f'href="/{lang}/accessibility"' in html
    assert "csrf_token" not in html or page == "/request"


@pytest.mark.parametrize(("lang", "button"), [("fi", "Pyydä apua"), ("sv", "Be om hjälp")])
def test_landing_page_leads_to_the_form(client, lang, button) -> None:
    html = client.get(f"/{lang}/").get_data(as_text=True)
    # Through "new": a request sent earlier from this browser is not shown again.
    assert re.search(
        rf'<a class="button button-large" href="/{lang}/request/new">{button}</a>', html
    )


def test_landing_page_promises_in_finnish(client) -> None:
    html = client.get("/fi/").get_data(as_text=True)
    assert "kolmen arkipäivän kuluessa" in html
    assert "nimettömänä" in html


def test_landing_page_promises_in_swedish(client) -> None:
    html = client.get("/sv/").get_data(as_text=True)
    assert "inom tre vardagar" in html
    assert "anonym" in html


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("sv-FI,sv;q=0.9,en;q=0.5", "/sv/"),
        ("fi-FI,fi;q=0.9", "/fi/"),
        ("en-GB", "/fi/"),
        ("", "/fi/"),
        ("de,sv;q=0.3", "/sv/"),
    ],
)
def test_root_redirects_to_the_preferred_language(client, accept, target) -> None:
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_unknown_language_prefix_is_not_found(client) -> None:
    assert client.get("/en/").status_code == 404
    assert client.get("/en/request").status_code == 404


def test_privacy_notice_tells_retention_and_right_to_know(app_factory) -> None:
    client = app_factory(RETENTION_MONTHS=18).test_client()
    fi = client.get("/fi/privacy").get_data(as_text=True)
    sv = client.get("/sv/privacy").get_data(as_text=True)
    assert "18" in fi and "18" in sv
    assert "<h1>Tietosuojaseloste</h1>" in fi
    assert "<h1>Dataskyddsbeskrivning</h1>" in sv


def test_accessibility_statement_in_both_languages(client) -> None:
    assert "<h1>Saavutettavuusseloste</h1>" in client.get("/fi/accessibility").get_data(
        as_text=True
    )
    assert "<h1>Tillgänglighetsutlåtande</h1>" in client.get("/sv/accessibility").get_data(
        as_text=True
    )


def test_htmx_config_turns_off_inline_styles_eval_and_history_cache(client) -> None:
    html = client.get("/fi/").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
    assert '"historyCacheSize": 0' in config
    assert "/static/js/htmx-2.0.11.min.js" in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
