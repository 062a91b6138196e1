"""Health, readiness and metrics for the load balancer, the orchestrator and Prometheus.

None needs a session or is rate-limited or audited, and none shows data: ``/healthz`` answers
while the process serves requests; ``/readyz`` when the database (and Redis, when the limits
are kept there) answers, else 503 naming what failed; ``/metrics`` only with ``METRICS_TOKEN``.
The Redis client is imported only when the limits are kept in Redis.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify
from sqlalchemy import text

from pyydaapua.database import db
from pyydaapua.monitoring import metrics
from pyydaapua.web.extensions import limiter
from pyydaapua.web.ratelimits import REDIS_SCHEMES

bp = Blueprint("monitoring", __name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int, dict[str, str]]:
    """The process serves requests (nothing else is asked)."""
    return jsonify(status="ok"), 200, NO_STORE


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return True
    except Exception:
        db.session.rollback()
        return False


def _redis_answers(uri: str) -> bool:
    import redis

    timeout = current_app.config["RATELIMIT_STORAGE_TIMEOUT"]
    try:
        client = redis.Redis.from_url(uri, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int, dict[str, str]]:
    """Ready to serve: the database answers, and Redis when the rate limits are kept there."""
    failed = [] if _database_answers() else ["database"]
    storage = current_app.config.get("RATELIMIT_STORAGE_URI", "")
    if storage.startswith(REDIS_SCHEMES) and not _redis_answers(storage):
        failed.append("redis")
    if failed:
        return jsonify(status="unavailable", failed=failed), 503, NO_STORE
    return jsonify(status="ready"), 200, NO_STORE


@bp.get("/metrics")
@limiter.exempt
def metrics_page() -> Response:
    """Prometheus' text format, for the holder of ``METRICS_TOKEN``; not found without it."""
    if not current_app.config.get("METRICS_TOKEN"):
        abort(404)
    if not metrics.authorised():
        return Response("", 401, {"WWW-Authenticate": "Bearer", **NO_STORE})
    body = metrics.exposition()
    db.session.rollback()
    return Response(body, 200, {"Content-Type": metrics.CONTENT_TYPE, **NO_STORE})
