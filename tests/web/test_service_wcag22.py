"""WCAG 2.2 beyond 2.1 in the pages themselves: 3.2.6 Consistent help, 3.3.7 Redundant entry
and the code fields of 3.3.8 Accessible authentication.

Help is in the same place on every page of its side: on the public side the footer's "Questions
about the service?" (the family centre's phone and how the service works), on the staff side
the footer's "Help with the staff pages"; the same words, at the same place in the page's
outline (the same ancestors, after the same siblings), on every page the route table and the
public pages give, in Finnish and Swedish, signed in as each role or not, error pages included.

A refused step gives back what was typed, except a secret. The fields of a secret (password,
two-factor code, the status page's code) carry the purpose a password manager reads, and
nothing in the templates or scripts blocks pasting or cuts a pasted code."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers.forms import hidden_fields
from tests.helpers.routes import ROUTES, concrete

LANGS = ("fi", "sv")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class HelpPlace(HTMLParser):
    """Where ``#service-help`` is: its ancestors from <body>, the siblings before it, and its
    own HTML as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[str]]] = [("document", [])]
        self.place: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.depth_of_help: int | None = None
        self.text: list[str] = []

    @staticmethod
    def name(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        found = dict(attrs)
        return (
            tag
            + (f"#{found['id']}" if found.get("id") else "")
            + ("." + ".".join((found.get("class") or "").split()) if found.get("class") else "")
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = self.name(tag, attrs)
        if self.depth_of_help is not None:
            self.text.append(f"<{name}>")
        if dict(attrs).get("id") == "service-help" and self.place is None:
            ancestors = tuple(entry for entry, _ in self.stack[1:])
            self.place = (ancestors, tuple(self.stack[-1][1]))
            self.depth_of_help = len(self.stack)
        self.stack[-1][1].append(name)
        if tag not in VOID:
            self.stack.append((name, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if len(self.stack) > 1:
            self.stack.pop()
        if self.depth_of_help is not None and len(self.stack) <= self.depth_of_help:
            self.depth_of_help = None

    def handle_data(self, data: str) -> None:
        if self.depth_of_help is not None and data.strip():
            self.text.append(" ".join(data.split()))


def help_of(html: str) -> tuple[object, str]:
    parser = HelpPlace()
    parser.feed(html)
    assert parser.place is not None, "no help on the page"
    return parser.place, " ".join(parser.text)


def same_everywhere(pages: dict[str, str]) -> dict[str, set[str]]:
    """The help's places and texts, each with the pages that have it: one of each when help is
    consistent."""
    places: dict[str, set[str]] = {}
    for name, html in pages.items():
        place, text = help_of(html)
        places.setdefault(f"{place} {text}", set()).add(name)
    return places


def public_pages(request_form, lang: str) -> dict[str, str]:
    client = request_form.client
    pages = {}
    for path in ("/", "/request", "/privacy", "/accessibility", "/status", "/no-such-page"):
        pages[path] = client.get(f"/{lang}{path}").get_data(as_text=True)
    pages["/request (errors)"] = request_form.submit(lang, phone="").get_data(as_text=True)
    sent = request_form.submit(lang, contact_method="status_page", phone="")
    pages["/request/sent"] = client.get(sent.headers["Location"]).get_data(as_text=True)
    reference = re.search(r'id="reference">([^<]+)<', pages["/request/sent"]).group(1)
    code = re.search(r'id="secret-code">([^<]+)<', pages["/request/sent"]).group(1)
    token = hidden_fields(pages["/status"])["csrf_token"]
    pair = {"csrf_token": token, "reference": reference}
    wrong = client.post(f"/{lang}/status", data={**pair, "secret_code": "ABCDE-FGHJK"})
    pages["/status (wrong)"] = wrong.get_data(as_text=True)
    client.post(f"/{lang}/status", data={**pair, "secret_code": code})
    pages["/status (opened)"] = client.get(f"/{lang}/status").get_data(as_text=True)
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_public_help_is_in_the_same_place_on_every_page(request_form, lang: str) -> None:
    pages = public_pages(request_form, lang)
    places = same_everywhere(pages)
    assert len(places) == 1, places
    (only,) = places
    # In the footer, after the privacy and accessibility links, before the emergency numbers.
    assert "footer.site-footer" in only and "ul.footer-links" in only, only
    phone = "Soita perhekeskukseen:" if lang == "fi" else "Ring familjecentret:"
    assert phone in only and "09 310 12345" in only
    html = pages["/"]
    assert f'href="/{lang}/#how-it-works"' in html and 'id="how-it-works"' in html


def staff_pages(app, staff_client, ids, lang: str) -> dict[str, str]:
    anonymous = app.test_client()
    login = f"/staff/login?lang={lang}"
    pages = {"/staff/login": anonymous.get(login).get_data(as_text=True)}
    refused = anonymous.post(
        login,
        data={
            "email": "nobody@example.fi",
            "password": "wrong password",
            "csrf_token": hidden_fields(pages["/staff/login"])["csrf_token"],
        },
    )
    assert refused.status_code == 401
    pages["/staff/login (refused)"] = refused.get_data(as_text=True)
    for role in ("counsellor", "supervisor", "admin"):
        client = staff_client(role, lang)
        for (method, path), answers in ROUTES.items():
            if method != "GET" or answers[role] != 200:
                continue
            response = client.get(concrete(path, ids))
            html = response.get_data(as_text=True)
            if response.mimetype == "text/html" and html.lstrip().lower().startswith("<!doctype"):
                pages[f"{path} ({role})"] = html
    return pages


@pytest.mark.parametrize("lang", LANGS)
def test_staff_help_is_in_the_same_place_on_every_page(
    app, staff_client, worked_request, lang: str
) -> None:
    pages = staff_pages(app, staff_client, worked_request, lang)
    assert len(pages) >= 20
    places = same_everywhere(pages)
    assert len(places) == 1, places
    (only,) = places
    assert "footer.site-footer" in only, only
    words = "käyttäjätilien ylläpitäjä" if lang == "fi" else "personalens användarkonton"
    assert words in only


def test_a_page_with_its_help_elsewhere_is_found(request_form) -> None:
    """The check itself: help moved out of the footer on one page is told apart."""
    pages = public_pages(request_form, "fi")
    block = re.search(r'<section class="service-help".*?</section>', pages["/"], re.S).group(0)
    moved = pages["/"].replace(block, "").replace('<main id="main"', block + '<main id="main"')
    pages["/ (moved)"] = moved
    assert len(same_everywhere(pages)) == 2


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_nothing_blocks_pasting_or_cuts_a_code() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"onpaste|oncopy|maxlength|data-no-paste", line, re.I)
    ]
    assert found == []
    script = (TEMPLATES.parent / "static" / "js").glob("*.js")
    assert not [
        path.name
        for path in script
        if not path.name.startswith("htmx") and re.search(r"[\"']paste[\"']", path.read_text())
    ]


def field(html: str, field_id: str) -> str:
    found = re.search(rf'<input[^>]* id="{field_id}"[^>]*>', html, re.S)
    assert found, field_id
    return found.group(0)


def test_secret_fields_tell_password_managers_what_they_are(client, app) -> None:
    status = client.get("/fi/status").get_data(as_text=True)
    assert 'autocomplete="username"' in field(status, "reference")
    assert 'autocomplete="current-password"' in field(status, "secret_code")
    login = client.get("/staff/login").get_data(as_text=True)
    assert 'autocomplete="username"' in field(login, "email")
    assert 'autocomplete="current-password"' in field(login, "password")
    code_page = (TEMPLATES / "accounts" / "login_code.html").read_text()
    enrol_page = (TEMPLATES / "accounts" / "login_enrol.html").read_text()
    assert code_page.count('autocomplete="one-time-code"') == 1
    assert enrol_page.count('autocomplete="one-time-code"') == 1
    for name in ("account_password.html", "admin_user.html", "admin_user_new.html"):
        text = (TEMPLATES / "accounts" / name).read_text()
        assert text.count('type="password", autocomplete="new-password"') == 2, name


def value_of(html: str, field_id: str) -> str:
    found = re.search(r'value="([^"]*)"', field(html, field_id))
    return found.group(1) if found else ""


def test_nothing_given_is_asked_again(app, request_form, client) -> None:
    """3.3.7 Redundant entry: a refused step gives back what was typed, except the secret
    itself (a password or a code is never put back into a page); the second sign-in step asks
    only for the code."""
    # The status page: a wrong code keeps the reference.
    form = client.get("/fi/status").get_data(as_text=True)
    token = hidden_fields(form)["csrf_token"]
    wrong = client.post(
        "/fi/status",
        data={"csrf_token": token, "reference": "acde-fh34", "secret_code": "ABCDE-FGHJK"},
    )
    assert value_of(wrong.get_data(as_text=True), "reference") == "acde-fh34"
    assert value_of(wrong.get_data(as_text=True), "secret_code") == ""
    # Signing in: a wrong password keeps the e-mail address; the code page asks for the code.
    login = client.get("/staff/login").get_data(as_text=True)
    refused = client.post(
        "/staff/login",
        data={
            "csrf_token": hidden_fields(login)["csrf_token"],
            "email": "someone@example.fi",
            "password": "wrong password",
        },
    )
    assert value_of(refused.get_data(as_text=True), "email") == "someone@example.fi"
    assert value_of(refused.get_data(as_text=True), "password") == ""
    code_page = (TEMPLATES / "accounts" / "login_code.html").read_text()
    assert re.findall(r"f\.text_field\(form\.(\w+)", code_page) == ["code"]
