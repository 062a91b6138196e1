"""Every page, public and staff, in both languages and in its error states, is valid HTML by
the W3C Nu HTML checker: htmx is written in its data-hx-* form, which the checker accepts."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.forms import hidden_fields
from tests.helpers.html_checker import check_pages
from tests.helpers.routes import ROUTES, concrete
from tests.helpers.staff import sign_in

LANGS = ("fi", "sv")
PUBLIC_PAGES = ("/{lang}/", "/{lang}/request", "/{lang}/privacy", "/{lang}/accessibility")


def full_page(response) -> str | None:
    html = response.get_data(as_text=True)
    if response.mimetype == "text/html" and html.lstrip().lower().startswith("<!doctype html"):
        return html
    return None


def public_pages(app, request_form) -> dict[str, str]:
    client = request_form.client
    pages = {}
    for lang in LANGS:
        for path in PUBLIC_PAGES:
            url = path.format(lang=lang)
            pages[url] = client.get(url).get_data(as_text=True)
        # The form's error states: nothing filled in, and a field too long.
        pages[f"/{lang}/request (empty)"] = request_form.submit(lang, phone="").get_data(
            as_text=True
        )
        pages[f"/{lang}/request (too long)"] = request_form.submit(
            lang, description="x" * 5000
        ).get_data(as_text=True)
        sent = request_form.submit(lang, description="Tarvitsemme apua")
        assert sent.status_code == 303
        pages[f"/{lang}/request (sent)"] = client.get(sent.headers["Location"]).get_data(
            as_text=True
        )
        pages[f"/{lang}/no-such-page"] = client.get(f"/{lang}/no-such-page").get_data(as_text=True)
        pages.update(status_pages(request_form, lang))
    return pages


def status_pages(request_form, lang: str) -> dict[str, str]:
    """The status page's states: the confirmation with the code, the form and its error, the
    opened page and its error."""
    client = request_form.client
    pages = {}
    sent = request_form.submit(lang, contact_method="status_page", phone="")
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    pages[f"/{lang}/request (sent, status page)"] = html
    reference = re.search(r'id="reference">([^<]+)<', html).group(1)
    code = re.search(r'id="secret-code">([^<]+)<', html).group(1)
    form = client.get(f"/{lang}/status").get_data(as_text=True)
    pages[f"/{lang}/status"] = form
    token = hidden_fields(form)["csrf_token"]
    pair = {"csrf_token": token, "reference": reference}
    wrong = client.post(f"/{lang}/status", data={**pair, "secret_code": "ABCDE-FGHJK"})
    pages[f"/{lang}/status (wrong)"] = wrong.get_data(as_text=True)
    client.post(f"/{lang}/status", data={**pair, "secret_code": code})
    client.post(f"/{lang}/status/message", data={"csrf_token": token, "message": "Hei"})
    pages[f"/{lang}/status (opened)"] = client.get(f"/{lang}/status").get_data(as_text=True)
    assert 'id="message-form"' in pages[f"/{lang}/status (opened)"]
    empty = client.post(f"/{lang}/status/message", data={"csrf_token": token, "message": ""})
    assert empty.status_code == 422
    pages[f"/{lang}/status (empty message)"] = empty.get_data(as_text=True)
    return pages


def staff_pages(app, staff_client, ids) -> dict[str, str]:
    pages = {}
    anonymous = app.test_client()
    pages["/staff/login"] = anonymous.get("/staff/login").get_data(as_text=True)
    refused = sign_in(anonymous, "nobody@example.fi", "wrong password")
    pages["/staff/login (refused)"] = refused.get_data(as_text=True)
    for role in ("counsellor", "supervisor", "admin"):
        client = staff_client(role, "sv" if role == "supervisor" else "fi")
        for (method, path), answers in ROUTES.items():
            if method != "GET" or answers[role] != 200:
                continue
            url = concrete(path, ids)
            html = full_page(client.get(url))
            if html is not None:
                pages[f"{url} ({role})"] = html
    return pages


def test_every_page_is_valid_html(
    app,
    request_form,
    staff_client,
    worked_request,
    tmp_path: Path,
) -> None:
    pages = public_pages(app, request_form)
    pages.update(staff_pages(app, staff_client, worked_request))
    # Every kind of page is among them: the public ones, the form's errors, the staff area.
    assert len(pages) >= 30, sorted(pages)
    not_pages = [
        name for name, html in pages.items() if not re.search(r'<html lang="(fi|sv)"', html)
    ]
    assert not_pages == []
    errors = check_pages(pages, tmp_path)
    assert errors == [], "\n".join(errors)


def test_the_checker_finds_an_error(tmp_path: Path) -> None:
    """The checker runs and reports: a page with a bare hx- attribute is refused."""
    page = (
        '<!DOCTYPE html><html lang="fi"><head><title>t</title></head>'
        '<body><form hx-post="/x"><button>Lähetä</button></form></body></html>'
    )
    errors = check_pages({"bare htmx": page}, tmp_path)
    assert len(errors) == 1 and "hx-post" in errors[0], errors


BARE_HTMX = re.compile(r"""(^|[\s'"])hx-[a-z]""")
PRECISE_TIME = re.compile(r'datetime="\{\{[^}]*isoformat\(\)')


def test_every_template_writes_htmx_in_its_data_form() -> None:
    """Fragments too, which the checker does not see whole: no bare hx-* attribute, and no
    <time datetime> to the microsecond (the |iso filter gives seconds)."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    found = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BARE_HTMX.search(line) or PRECISE_TIME.search(line)
    ]
    assert len(list(templates.rglob("*.html"))) > 40
    assert found == []
