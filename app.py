"""Entry point: ``flask --app app …`` and ``gunicorn app:app``."""

import sys

from pyydaapua import create_app
from pyydaapua.web.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One line naming the setting, instead of a traceback, and no app that half works.
    sys.exit(f"pyydaapua: configuration error: {error}")
