"""gunicorn settings for the benchmark: those of gunicorn.conf.py, without the access log and
without restarting workers after max_requests (the memory measured is then that of workers
that served the whole run). WEB_CONCURRENCY and GUNICORN_BIND set the workers and address."""

import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _production.items() if not name.startswith("_")})

accesslog = None
max_requests = 0
