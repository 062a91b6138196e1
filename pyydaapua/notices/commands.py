"""The outbox's commands: ``flask send-mail`` delivers it, ``flask remind`` queues the day's
reminders. Their output is for operators, in English."""

from __future__ import annotations

import signal
from datetime import UTC, date, datetime
from types import FrameType

import click
from flask import Flask
from flask.cli import with_appcontext

from pyydaapua.notices.reminders import remind
from pyydaapua.notices.sender import PassResult, run_loop, send_pass
from pyydaapua.rules.workdays import helsinki_date


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep sending, pausing between passes, until stopped.")
@click.option(
    "--pause",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seconds between passes with --loop.",
)
@with_appcontext
def send_mail(loop: bool, pause: float) -> None:
    """Send the e-mail waiting in the outbox (one pass, or --loop until SIGTERM or Ctrl-C)."""
    if not loop:
        click.echo(send_pass().summary())
        return
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def report(result: PassResult) -> None:
        if (
            result.no_server
            or result.sent
            or result.retrying
            or result.failed
            or result.uncertain
            or result.interrupted
        ):
            click.echo(result.summary())

    try:
        total = run_loop(pause, lambda: bool(stopping), report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not total.no_server:
        click.echo(
            f"Stopped: sent {total.sent}, to retry {total.retrying}, failed {total.failed}, "
            f"uncertain {total.uncertain}."
        )


@click.command("remind")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to remind for (YYYY-MM-DD); default: today in Helsinki.",
)
@with_appcontext
def remind_command(today: datetime | None) -> None:
    """Queue the reminders of requests due today or overdue, and the team's summary (once a
    working day; a second run the same day queues nothing)."""
    day: date = today.date() if today is not None else helsinki_date(datetime.now(UTC))
    click.echo(remind(day).summary_line())


def init_app(app: Flask) -> None:
    app.cli.add_command(send_mail)
    app.cli.add_command(remind_command)
