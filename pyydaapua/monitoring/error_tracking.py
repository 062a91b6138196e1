"""Errors sent to the city's Sentry (``SENTRY_DSN``, optional) through ``sentry-sdk``, with
nothing personal in them: no request body, cookies, headers or query string, no local
variables, no breadcrumbs (which would carry log lines and SQL), and an exception's message
left out (its type and stack frames say where it happened; the message may quote data).

``sentry_sdk`` (some 5 MB in every worker) is imported only when ``SENTRY_DSN`` is set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask

from pyydaapua.web.serving import redact_path

if TYPE_CHECKING:
    from sentry_sdk.types import Event


def scrub(event: Event, _hint: dict[str, Any]) -> Event:
    """The event with everything that may hold personal data taken out."""
    data = cast(dict[str, Any], event)
    request = data.get("request")
    if isinstance(request, dict):
        url = str(request.get("url", "")).split("?", 1)[0]
        data["request"] = {"method": request.get("method"), "url": redact_path(url)}
    data.pop("user", None)
    data.pop("extra", None)
    data["breadcrumbs"] = {"values": []}
    for value in (data.get("exception") or {}).get("values", []):
        value["value"] = ""
        for frame in (value.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    logentry = data.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
    return event


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config["APP_ENV"],
        integrations=[FlaskIntegration()],
        # Nothing the integrations would collect of their own: no user, cookies, headers,
        # bodies, query parameters, SQL data or frame variables.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=0,
        before_send=scrub,
        before_send_transaction=lambda _event, _hint: None,
    )
