"""gunicorn settings for production: ``gunicorn app:app`` reads this file by itself.

Every value can be changed from the environment (names below) or on the command line,
e.g. ``gunicorn --certfile cert.pem --keyfile key.pem app:app`` to serve HTTPS directly.
"""

import multiprocessing
import os


def _fresh_metrics_folder() -> None:
    """The workers' metrics files (prometheus_client's multi-process mode) of an earlier run
    must not be counted again: the folder is emptied, before the app is loaded."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


_fresh_metrics_folder()

from pyydaapua.web.serving import ACCESS_LOG_FORMAT  # noqa: E402 - after the folder is emptied

# Where to listen. Behind a reverse proxy keep the default loopback address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: the pages are short and CPU-bound; 2 per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A page answers in milliseconds; a worker stuck this long is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Restart workers now and then so that memory stays flat over weeks.
max_requests = 2000
max_requests_jitter = 200

# Build the app once in the master: a configuration error stops the server at once with
# one line, instead of every worker failing to boot in turn.
preload_app = True

# HTTPS served by gunicorn itself (optional; a TLS proxy in front is the usual set-up).
certfile = os.environ.get("TLS_CERTFILE") or None
keyfile = os.environ.get("TLS_KEYFILE") or None

# Which proxies may tell gunicorn the scheme. The app itself trusts X-Forwarded-For and
# X-Forwarded-Proto only from PROXY_FIX_X_FOR proxies (see docs/operations.md).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to standard output/error for the service manager; no query strings, no Referer,
# no confirmation secrets in the access log, which carries the request id. With LOG_FORMAT=json
# the app writes one JSON event per request itself, and gunicorn's text access log is off.
accesslog = None if os.environ.get("LOG_FORMAT", "").strip().lower() == "json" else "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "pyydaapua.web.serving.AccessLogger"
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # gunicorn's own lines (workers booting, timeouts) as JSON too, like the app's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},  # the app installs its own JSON handler
        "formatters": {"json": {"()": "pyydaapua.monitoring.request_log.JsonFormatter"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error_console"],
                "level": loglevel.upper(),
                "propagate": False,
                "qualname": "gunicorn.error",
            },
        },
    }
access_log_format = ACCESS_LOG_FORMAT


def child_exit(server, worker):
    """A worker that ended no longer counts in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    """With the app preloaded, it is warmed once in the master (templates compiled, catalogues
    and the working-day calendar read, no connection opened): every worker starts warm."""
    if server.cfg.preload_app:
        from app import app
        from pyydaapua.web.serving import warm_up

        warm_up(app)


def post_fork(server, worker):
    """Each worker opens its own database connections, never the master's (and warms the app
    itself when it was not preloaded)."""
    from app import app
    from pyydaapua.database import db

    with app.app_context():
        db.engine.dispose(close=False)
    if not server.cfg.preload_app:
        from pyydaapua.web.serving import warm_up

        warm_up(app)
