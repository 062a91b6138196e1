"""Flask commands: demo data, staff accounts, retention and translations."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from pyydaapua.accounts import users
from pyydaapua.data_rights import retention
from pyydaapua.notices import commands
from pyydaapua.rules.codes import LANGUAGES, ROLES
from pyydaapua.tools import demo

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
POT = ROOT / "translations" / "messages.pot"
TRANSLATIONS = ROOT / "translations"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603 - fixed argv


def extract_messages(pot: Path = POT) -> None:
    """Extract every translatable string of the code and templates into ``pot``."""
    _pybabel(
        "extract",
        "-F",
        str(BABEL_CFG),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(pot),
        str(ROOT),
    )


@click.command("seed-demo")
@click.option(
    "--requests",
    "count",
    type=click.IntRange(min=0),
    default=0,
    help="Also add this many synthetic help requests over the last 18 months.",
)
@click.option("--seed", type=int, default=None, help="Random seed, for repeatable data.")
@click.option(
    "--once",
    is_flag=True,
    help="Add the synthetic requests only when there are none yet (for make run).",
)
@with_appcontext
def seed_demo(count: int, seed: int | None, once: bool) -> None:
    """Load demo data (once) and optionally N synthetic help requests. Not in production."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("seed-demo creates demo accounts and is refused in production")
    demo.load_demo_users()
    click.echo(f"Services added to the catalogue: {demo.load_services()}")
    click.echo(f"Example requests added: {demo.load_examples()}")
    _echo_demo_sign_in()
    if count and once and demo.has_synthetic_requests():
        click.echo("Synthetic requests are there already.")
    elif count:
        started = time.perf_counter()
        demo.add_synthetic_requests(count, seed=seed)
        click.echo(f"Synthetic requests added: {count} in {time.perf_counter() - started:.1f} s")


def _echo_demo_sign_in() -> None:
    """The demo accounts' e-mail, password and TOTP secret, with a way to get a code."""
    secrets = demo.demo_secrets()
    click.echo(
        "Sign in at /staff/login. The code after the password: add the secret to an "
        "authenticator app (time-based), or run the oathtool command shown."
    )
    for email, name, role, language in demo.DEMO_USERS:
        if email not in secrets:
            continue
        click.echo(f"Demo {role} ({language}): {email} / {demo.DEMO_PASSWORD}  ({name})")
        secret = secrets[email]
        if secret:
            click.echo(f"    secret {secret}   code: oathtool --totp -b {secret}")
        else:
            click.echo("    two-factor sign-in was reset: it is taken into use at the next sign-in")


@click.command("demo-users")
@with_appcontext
def demo_users() -> None:
    """Print how to sign in as the demo accounts (password and TOTP secret). Not in
    production."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("demo-users is for demo data and is refused in production")
    _echo_demo_sign_in()


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--language", default="fi", show_default=True, type=click.Choice(LANGUAGES))
@with_appcontext
def create_user(email: str, name: str, role: str, language: str) -> None:
    """Create a staff user. The password is read from a prompt or standard input, never
    from the command line."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = users.create_user(email, name, role, password, language)
    except users.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.email}")


@click.command("retention")
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Remove the personal data. Without this only count (a dry run).",
)
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Closed more than this many calendar months ago (default: RETENTION_MONTHS).",
)
@with_appcontext
def retention_command(apply_changes: bool, months: int | None) -> None:
    """Remove the personal data of requests closed more than RETENTION_MONTHS months ago.
    A dry run by default; every run is recorded in the audit log."""
    months = months or current_app.config["RETENTION_MONTHS"]
    result = retention.run(months, apply=apply_changes)
    cutoff = result.cutoff.isoformat()
    if result.applied:
        click.echo(
            f"Removed the personal data of {result.count} closed requests "
            f"(closed before {cutoff}, {months} months)."
        )
    else:
        click.echo(
            f"Dry run: {result.count} closed requests would have their personal data removed "
            f"(closed before {cutoff}, {months} months). Run with --apply to remove it."
        )


@click.group("translate")
def translate() -> None:
    """Extract, update and compile the fi and sv catalogues."""


@translate.command("update")
def translate_update() -> None:
    """Extract the strings and merge them into every catalogue."""
    extract_messages()
    _pybabel(
        "update",
        "-i",
        str(POT),
        "-d",
        str(TRANSLATIONS),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )


@translate.command("compile")
def translate_compile() -> None:
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start a catalogue for a new language."""
    extract_messages()
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_users)
    app.cli.add_command(create_user)
    app.cli.add_command(retention_command)
    app.cli.add_command(translate)
    commands.init_app(app)
