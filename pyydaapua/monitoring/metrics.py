"""Prometheus metrics, counted in every gunicorn worker (prometheus_client's multi-process mode
when ``PROMETHEUS_MULTIPROC_DIR`` is set) and read at ``/metrics`` with ``METRICS_TOKEN``.

Labels hold the names of endpoints, methods, statuses and kinds only: no path, reference,
address or anything typed. The service's own figures (the outbox, the requests not yet reached
and overdue) are counted from the database when the metrics are read.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from datetime import datetime

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, OutboxMessage, RequestCount
from pyydaapua.rules.status_flow import OPEN_STATUSES
from pyydaapua.rules.workdays import HELSINKI

REQUESTS = Counter(
    "pyydaapua_http_requests",
    "Requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "pyydaapua_http_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
FAILED_SIGN_INS = Counter(
    "pyydaapua_failed_sign_ins",
    "Failed staff sign-ins: a wrong password, a wrong code, or refused after the identity "
    "provider.",
    ["kind"],
)
LIMIT_STORAGE_FALLBACKS = Counter(
    "pyydaapua_rate_limit_storage_fallbacks",
    "Times the rate-limit storage (Redis) was lost and limits were counted in the process.",
)
# The audit events that are failed sign-ins, by the kind the metric names.
FAILED_SIGN_IN_KINDS = {
    "sign_in_failed": "password",
    "sign_in_code_failed": "code",
    "sso_refused": "identity_provider",
}
CONTENT_TYPE = CONTENT_TYPE_LATEST
OUTBOX_STATUSES = ("pending", "failed", "uncertain")


def count_audit_event(action: str) -> None:
    """Count an audit event that is a failed sign-in (called as it is recorded)."""
    kind = FAILED_SIGN_IN_KINDS.get(action)
    if kind is not None:
        FAILED_SIGN_INS.labels(kind=kind).inc()


class _StorageFallbacks(logging.Handler):
    """Counts the limiter's message that its storage is lost and limits are counted here."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lower()
        if "storage" in message and ("unreachable" in message or "falling back" in message):
            LIMIT_STORAGE_FALLBACKS.inc()


class ServiceFigures(Collector):
    """The outbox's messages by status, the open requests not yet reached and the overdue
    ones, counted when the metrics are read (a few indexed counts)."""

    def collect(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "pyydaapua_outbox_messages", "E-mail messages in the outbox, by status.",
            labels=["status"],
        )  # fmt: skip
        counts = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.status.in_(OUTBOX_STATUSES))
                .group_by(OutboxMessage.status)
            ).all()
        )
        for status in OUTBOX_STATUSES:
            outbox.add_metric([status], counts.get(status, 0))
        yield outbox
        today = datetime.now(HELSINKI).date()
        not_reached = and_(
            HelpRequest.status.in_(OPEN_STATUSES), HelpRequest.first_contact_at.is_(None)
        )
        waiting, overdue = db.session.execute(
            select(
                func.count(),
                func.count().filter(HelpRequest.due_date < today),
            ).where(not_reached)
        ).one()
        yield GaugeMetricFamily(
            "pyydaapua_requests_not_reached", "Open requests whose family is not reached yet.",
            value=waiting,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "pyydaapua_requests_overdue",
            "Open requests not reached by their due day (three working days).",
            value=overdue,
        )
        open_total = db.session.scalar(
            select(func.coalesce(func.sum(RequestCount.total), 0)).where(
                RequestCount.status.in_(OPEN_STATUSES)
            )
        )
        yield GaugeMetricFamily("pyydaapua_requests_open", "Open requests.", value=open_total)


class _ThisProcess(Collector):
    """The metrics of this process, when there is only one (no multi-process directory)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """The metrics in Prometheus' text format: every worker's, and the service's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(ServiceFigures())
    return generate_latest(registry)


def authorised() -> bool:
    """The bearer token matches ``METRICS_TOKEN`` (compared in constant time)."""
    token = current_app.config.get("METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _observe(response: Response) -> Response:
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    REQUESTS.labels(
        endpoint=endpoint, method=request.method, status=str(response.status_code)
    ).inc()
    LATENCY.labels(endpoint=endpoint).observe(g.get("request_duration", 0.0))
    return response


def init_app(app: Flask, limiter_logger: str) -> None:
    app.after_request(_observe)
    log = logging.getLogger(limiter_logger)
    if not any(isinstance(handler, _StorageFallbacks) for handler in log.handlers):
        log.addHandler(_StorageFallbacks())
