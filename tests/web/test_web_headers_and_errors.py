"""Security headers on every response, and error pages in the page's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import abort

RESPONSES = [
    "/",
    "/fi/",
    "/sv/request",
    "/fi/privacy",
    "/sv/accessibility",
    "/fi/missing",
    "/sv/request/sent",
    "/sv/exit",
    "/static/css/site.css",
]


@pytest.mark.parametrize("path", RESPONSES)
def test_security_headers_on_every_response(client, path) -> None:
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client) -> None:
    response = client.get("/fi/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_are_not_stored_in_shared_caches(client) -> None:
    assert "private" in client.get("/fi/").headers["Cache-Control"]


@pytest.mark.parametrize(
    ("lang", "heading"), [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte")]
)
def test_404_in_the_page_language(client, lang, heading) -> None:
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert f'href="/{lang}/privacy"' in html  # in the site's layout


def test_404_outside_the_prefixes_follows_accept_language(client) -> None:
    response = client.get("/nothing", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    assert '<html lang="sv">' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_405_in_the_page_language(client, lang) -> None:
    for method in (client.post, client.delete):
        response = method(f"/{lang}/privacy")
        assert response.status_code == 405
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_500_is_a_calm_page_in_the_language(app_factory) -> None:
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/sv/boom")
    def boom() -> str:
        raise RuntimeError("broken")

    @app.get("/fi/forbidden")
    def forbidden() -> str:
        abort(403)

    client = app.test_client()
    response = client.get("/sv/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    # "112" is in every page's footer: check the error page's own advice.
    assert '<html lang="sv">' in html
    assert "Försök igen om en stund. Om situationen är brådskande, ring 112." in html
    assert "RuntimeError" not in html
    response = client.get("/fi/forbidden")
    assert response.status_code == 403
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_error_message_only_for_htmx(client) -> None:
    response = client.get("/fi/missing", headers={"HX-Request": "true"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="error-message"' in html


# What an inline action that failed says, by the kind of failure: (heading, part of the text).
HTMX_FAILURES = {
    "fi": {
        "session": ("Sinut on kirjattu ulos", "kirjaudu sitten uudelleen"),
        "forbidden": ("Sinulla ei ole oikeutta tähän", "kysy esihenkilöltäsi"),
        "not-found": ("Tätä ei ole enää olemassa", "päivitä sitten sivu"),
        "server": ("Jokin meni vikaan", "Kirjoittamasi on yhä sivulla"),
        "network": ("Ei yhteyttä", "Tarkista internetyhteytesi"),
        "other": ("Tätä ei voitu tehdä", "Päivitä sitten sivu"),
    },
    "sv": {
        "session": ("Du har loggats ut", "logga sedan in igen"),
        "forbidden": ("Du har inte behörighet till detta", "fråga din förman"),
        "not-found": ("Det här finns inte längre", "ladda sedan om sidan"),
        "server": ("Något gick fel", "Det du skrev finns kvar på sidan"),
        "network": ("Ingen anslutning", "Kontrollera din internetanslutning"),
        "other": ("Det här kunde inte göras", "Ladda sedan om sidan"),
    },
}


def failure_messages(html: str) -> dict[str, str]:
    """The texts in the page's #request-error-messages, by kind, tags and spacing removed."""
    template = re.search(r'<template id="request-error-messages">(.*?)</template>', html, re.DOTALL)
    assert template, "the page carries no messages for failed inline actions"
    messages = re.findall(r'data-error="([a-z-]+)">(.*?)</div>', template.group(1), re.DOTALL)
    return {kind: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for kind, body in messages}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_failed_inline_action_messages_in_the_page_language(client, lang) -> None:
    messages = failure_messages(client.get(f"/{lang}/").get_data(as_text=True))
    assert set(messages) == set(HTMX_FAILURES[lang])
    for kind, (heading, text) in HTMX_FAILURES[lang].items():
        assert messages[kind].startswith(heading), (kind, messages[kind])
        assert text in messages[kind], (kind, messages[kind])


def test_failed_inline_action_messages_on_staff_pages(staff_client) -> None:
    html = staff_client("counsellor", "sv").get("/staff/").get_data(as_text=True)
    assert failure_messages(html)["network"].startswith("Ingen anslutning")


def test_failed_inline_action_texts_are_not_in_the_script(app) -> None:
    script = (Path(app.static_folder) / "js" / "app.js").read_text(encoding="utf-8")
    for texts in HTMX_FAILURES.values():
        for heading, _text in texts.values():
            assert heading not in script
    assert "No connection" not in script and "Something went wrong" not in script
