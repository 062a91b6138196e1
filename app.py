"""Entry point: ``flask --app app …`` and ``gunicorn app:app``."""

from pyydaapua import create_app

app = create_app()
