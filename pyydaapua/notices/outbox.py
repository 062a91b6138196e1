"""The outbox: queueing e-mail in the transaction of the change that causes it."""

from __future__ import annotations

from pyydaapua.models import HelpRequest


def request_sent(help_request: HelpRequest) -> None:
    """Queue the notices of a new request (the request has an id: it was flushed)."""


def family_wrote(help_request: HelpRequest) -> None:
    """Queue the notice of a message from the family."""


def counsellor_wrote(help_request: HelpRequest) -> None:
    """Queue the parent's notice of a message from a counsellor."""
