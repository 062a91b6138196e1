"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

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
    # Same-origin requests carry the Referer, which the CSRF check demands over HTTPS
    # (Flask-WTF's WTF_CSRF_SSL_STRICT); no other site ever sees one of our addresses.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


# Public pages that hold what a parent typed: the form (and its error states) and the
# confirmation. Like staff pages, the browser must not keep them.
PARENT_TEXT_ENDPOINTS = frozenset({"public.request_form", "public.confirmation"})


def add_security_headers(response: Response) -> Response:
    """Set the headers; pages are private to the browser, static files may be cached."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
        )
    if request.blueprint == "staff" or request.endpoint in PARENT_TEXT_ENDPOINTS:
        # Family data: never kept by the browser, so the back button cannot show it again.
        response.headers["Cache-Control"] = "no-store"
    elif request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
