"""Pyydä apua / Be om hjälp: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from werkzeug.middleware.proxy_fix import ProxyFix

from pyydaapua.database import db
from pyydaapua.monitoring import audit_stream, error_tracking, metrics, request_log
from pyydaapua.tools import cli
from pyydaapua.web import areas, errors, htmx, i18n, params, ratelimits, request_shape, security
from pyydaapua.web.config import (
    check_production,
    from_environment,
    mail_settings_unset,
    start_warnings,
)
from pyydaapua.web.extensions import (
    LazyMigrationCommands,
    LazyMigrations,
    babel,
    csrf,
    limiter,
)
from pyydaapua.web.forms import with_text_decoding
from pyydaapua.web.translated_templates import TranslatedEnvironment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# PostgreSQL decides for itself whether to keep one plan for a prepared statement, whatever
# the database's default: only inserts and the statements marked ``planned_once()`` are
# prepared (``database.py``).
PLAN_CACHE_MODE = "-c plan_cache_mode=auto"


def _plan_cache_mode(app: Flask) -> None:
    """On PostgreSQL (psycopg), each connection is opened with ``plan_cache_mode = auto``,
    added to any ``options`` given for the connections: a prepared statement (an insert, or
    one marked ``planned_once()``) is planned once for all its values when that plan is
    estimated no dearer, and the others, never prepared, are planned for their own values at
    each run. A database set to ``force_generic_plan`` would plan even those once."""
    try:
        driver = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).drivername
    except ArgumentError:
        return  # check_production or the engine says what is wrong with it
    if driver != "postgresql+psycopg":
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), PLAN_CACHE_MODE]))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app; ``test_config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    # Each template compiled once per language, its fixed texts translated.
    app.jinja_environment = TranslatedEnvironment
    app.config.from_mapping(from_environment(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    if test_config:
        app.config.from_mapping(test_config)
    _plan_cache_mode(app)
    check_production(app.config)
    request_log.configure(app)  # before the first warning: LOG_FORMAT=json covers it too
    error_tracking.init_app(app)
    if app.config["APP_ENV"] == "production" and (unset := mail_settings_unset(app.config)):
        app.logger.warning(
            "E-mail is not set up: set %s (see docs/operations.md, E-mail notices and reminders). "
            "Until then messages stay in the outbox.",
            ", ".join(unset),
        )
    for warning in start_warnings(app.config):
        app.logger.warning(warning)

    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1
        )

    db.init_app(app)
    request_log.init_app(app)  # first: the request id and the clock start before anything
    app.extensions["migrate"] = LazyMigrations(app, str(PROJECT_ROOT / "migrations"))
    app.cli.add_command(LazyMigrationCommands())
    request_shape.init_app(app)  # before CSRF and the limits: a body of the wrong kind is a 415
    csrf.init_app(app)
    ratelimits.init_app(app)
    metrics.init_app(app, limiter.logger.name)
    audit_stream.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    htmx.init_app(app)
    params.init_app(app)  # before the blueprints: their rules take the converter then
    # After htmx, which sets its own request class: invalid UTF-8 is kept per field.
    app.request_class = with_text_decoding(app.request_class)

    from pyydaapua import models  # noqa: F401 - registers the tables with the metadata
    from pyydaapua.accounts import (  # noqa: F401 - with their routes
        auth,
        passwords,
        second_step,
        single_sign_on,
    )
    from pyydaapua.accounts.views import bp as accounts_bp
    from pyydaapua.casework.views import bp as casework_bp
    from pyydaapua.catalogue.views import bp as catalogue_bp
    from pyydaapua.data_rights.views import bp as data_rights_bp
    from pyydaapua.inbox.views import bp as inbox_bp
    from pyydaapua.intake import public_info
    from pyydaapua.intake.views import bp as intake_bp
    from pyydaapua.monitoring.views import bp as monitoring_bp
    from pyydaapua.notices.views import bp as notices_bp
    from pyydaapua.reporting.views import bp as reporting_bp
    from pyydaapua.status_page.views import bp as status_page_bp

    # One blueprint per package: the public pages under /<lang>/, the staff pages under /staff/.
    areas.init_app(app)
    for blueprint in (
        intake_bp,
        status_page_bp,
        accounts_bp,
        inbox_bp,
        casework_bp,
        reporting_bp,
        data_rights_bp,
        catalogue_bp,
        notices_bp,
        monitoring_bp,
    ):
        app.register_blueprint(blueprint)
    auth.init_app(app)
    single_sign_on.init_app(app)
    public_info.init_app(app)  # the contact details, on every public page and error page

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
