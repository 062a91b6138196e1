"""Security headers on every response, the origin check of every state change, and the CSRF
token's hidden field that every form writes with ``csrf_field()``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import CSRFError, generate_csrf, same_origin
from markupsafe import Markup, escape

from pyydaapua.web import areas

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Our own pages' requests carry their true Origin and Referer (with no-referrer, a
    # browser sends "Origin: null" and no Referer); no other site sees one of our addresses.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


# Public pages that hold what a parent typed: the form (and its error states), the
# confirmation and the status page. Like staff pages, the browser must not keep them.
PARENT_TEXT_ENDPOINTS = frozenset(
    {
        "intake.request_form",
        "intake.confirmation",
        "intake.code_written",
        "intake.quick_exit",
        "status_page.status",
        "status_page.status_message",
        "status_page.status_close",
    }
)


def content_security_policy(issuer: str) -> str:
    """The policy. With single sign-on, signing out (a form) leads on to the identity
    provider's end-session address, which ``form-action`` must then allow."""
    if not issuer:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def add_security_headers(response: Response) -> Response:
    """Set the headers; pages are private to the browser, static files may be cached."""
    policy = content_security_policy(current_app.config.get("OIDC_ISSUER", ""))
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if areas.is_staff_page() or request.endpoint in PARENT_TEXT_ENDPOINTS:
        # Family data: never kept by the browser, so the back button cannot show it again.
        response.headers["Cache-Control"] = "no-store"
    elif request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.vary.add("Cookie")
    return response


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def cross_origin_reason() -> str | None:
    """Why a state-changing request came from another site's page, or None.

    A browser names where a request comes from: ``Sec-Fetch-Site``, then ``Origin`` (our
    pages never send "null"), else the ``Referer``. Each that is sent must be this site.
    A client that sends none of them is not a browser acting for another site; the CSRF
    token is required from it all the same."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_SITE_FETCHES:
        return f"The request came from another site (Sec-Fetch-Site: {site})."
    here = f"{request.scheme}://{request.host}/"
    origin = request.headers.get("Origin")
    if origin is not None:
        return None if same_origin(origin, here) else "The origin does not match the host."
    if request.referrer and not same_origin(request.referrer, here):
        return "The referrer does not match the host."
    return None


def refuse_cross_origin() -> None:
    """Refuse a state-changing request from another site, after the CSRF token's check.

    It replaces Flask-WTF's HTTPS-only rule that demanded a Referer (WTF_CSRF_SSL_STRICT),
    which refused every POST from browsers and clients that send none."""
    if request.method in UNSAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        reason = cross_origin_reason()
        if reason:
            raise CSRFError(reason)


def csrf_field() -> Markup:
    """The hidden field with the session's CSRF token, for a form's body."""
    field = Markup('<input type="hidden" name="csrf_token" value="{}">')
    return field.format(escape(generate_csrf()))


def init_app(app: Flask) -> None:
    app.before_request(refuse_cross_origin)
    app.after_request(add_security_headers)
    app.add_template_global(csrf_field)
