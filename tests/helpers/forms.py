"""Reading and filling forms as a browser would: the hidden fields, the CSRF token, the
notice above the request form, and a parent filling the request form."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|submission_key)"[^>]*value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token and submission key of a rendered request form."""
    return dict(_HIDDEN.findall(html))


_FORM_NOTICE = re.compile(r'<div class="notice" id="form-notice"[^>]*>(.*?)</div>', re.S)


def form_notice(html: str) -> str:
    """The text of the notice above the request form (why it was not sent), or ""."""
    found = _FORM_NOTICE.search(html)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


class RequestFormHelper:
    """Fills the request form as a parent would: GET it, then POST with its hidden fields."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def open(self, lang: str = "fi") -> dict[str, str]:
        """A new, empty form (as from the front page's button, after any request sent)."""
        response = self.client.get(f"/{lang}/request/new", follow_redirects=True)
        assert response.status_code == 200
        return hidden_fields(response.get_data(as_text=True))

    def submit(
        self,
        lang: str = "fi",
        hidden: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        data: dict[str, Any] = {"contact_method": "phone", "phone": "040 123 4567"}
        data.update(hidden if hidden is not None else self.open(lang))
        data.update(fields)
        return self.client.post(f"/{lang}/request", data=data, headers=headers or {})


def form_token(html: str) -> str | None:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    return token.group(1) if token else None


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, as every page carries it for htmx."""
    html = client.get("/fi/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
