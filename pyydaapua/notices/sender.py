"""Delivering the outbox: ``flask send-mail``.

Several senders may run at once, on several hosts. Each message is claimed before it is sent:
the row is selected ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; on SQLite there is one sender),
then ``UPDATE … SET status='sending' WHERE id=… AND status='pending'`` is committed, and only
the sender whose update changed the row sends it.

A message is never sent twice. A row still 'sending' long after its claim belongs to a sender
that died between the claim and the result: the mail server may or may not have taken it, so it
is marked 'failed' with a reason that says to check the server's log, never sent again on its
own. Likewise a connection lost in the middle of a message ends it as 'failed'.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from pyydaapua.models import OutboxMessage
from pyydaapua.rules.mail_retry import SENDING_ABANDONED_AFTER, gives_up, is_temporary, retry_delay
from pyydaapua.web.extensions import db

INTERRUPTED = "interrupted while sending: check the mail server's log before resending"
NO_RECIPIENT = "no recipient: the address was removed with the family's data"
LOST_WHILE_SENDING = "connection lost while sending: check the mail server's log before resending"


@dataclass
class PassResult:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    no_server: bool = False
    connection_error: str = ""

    def summary(self) -> str:
        if self.no_server:
            return "MAIL_SERVER is not set: nothing sent, messages stay pending in the outbox."
        line = (
            f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}, "
            f"interrupted earlier and marked failed {self.interrupted}"
        )
        if self.connection_error:
            line += f"; mail server unreachable: {self.connection_error}"
        return line


class ConnectionFailed(Exception):
    """The mail server could not be reached or refused the session (not one message)."""


class _Refused(Exception):
    """The server refused one message; ``temporary`` for a 4xx reply."""

    def __init__(self, reason: str, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


def _reply_reason(code: int, text: bytes | str) -> str:
    """A short reason from an SMTP reply: the code and its enhanced status code (5.1.1), never
    the rest of the text, which may repeat an address."""
    words = (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)).split()
    detail = words[0] if words and words[0][:1].isdigit() and "." in words[0] else ""
    return f"SMTP {code} {detail}".strip()


def _refusal(error: smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException) -> _Refused:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return _Refused(_reply_reason(code, text), is_temporary(code))
    return _Refused(_reply_reason(error.smtp_code, error.smtp_error), is_temporary(error.smtp_code))


class Mailer:
    """One SMTP session for a pass, opened when the first message is claimed."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = (
            config["MAIL_SERVER"],
            int(config["MAIL_PORT"]),
            config["MAIL_TIMEOUT"],
        )
        try:
            smtp: smtplib.SMTP
            if config["MAIL_USE_SSL"]:
                smtp = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if config["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionFailed(_connection_reason(error)) from error
        return smtp

    def session(self) -> smtplib.SMTP:
        """The open session, checked with NOOP when reused; a new one when it was dropped."""
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.close()
        self.smtp = self._connect()
        return self.smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises _Refused for a refusal, OSError or SMTPServerDisconnected
        when the connection was lost while sending."""
        smtp = self.session()
        try:
            smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
            raise _refusal(error) from error
        except smtplib.SMTPServerDisconnected:
            self.smtp = None
            raise
        except smtplib.SMTPException as error:
            # Refused by smtplib itself before anything was sent (e.g. SMTPUTF8 not offered).
            raise _Refused(type(error).__name__, temporary=False) from error

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _connection_reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: " + _reply_reason(error.smtp_code, error.smtp_error)
    return f"{type(error).__name__}: {error}"[:200]


def build_email(row: OutboxMessage, sender: str) -> EmailMessage:
    """The message as sent: plain UTF-8 text from the configured sender, with a Message-ID
    named after the outbox row, so the mail server's log shows whether a row was taken."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row.id}-{int(row.created_at.timestamp())}@{domain}>"
    message.set_content(row.body, charset="utf-8")
    return message


def mark_abandoned(now: datetime) -> int:
    """Mark failed the rows left 'sending' by a sender that died (claimed long ago)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_at < now - SENDING_ABANDONED_AFTER,
        )
        .values(status="failed", last_error=INTERRUPTED)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def claim_next(now: datetime) -> OutboxMessage | None:
    """Claim the next due message for this sender (committed), or None when none is left."""
    while True:
        query = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message_id = db.session.scalar(query)
        if message_id is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .values(status="sending", claimed_at=now)
        )
        db.session.commit()
        if getattr(claimed, "rowcount", 0) == 1:
            return db.session.get(OutboxMessage, message_id)
        # Another sender took it between the select and the update: look again.


def _record(row: OutboxMessage, **values: Any) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
        .values(**values)
    )
    db.session.commit()


def _record_failure(row: OutboxMessage, reason: str, temporary: bool, now: datetime) -> str:
    """Back to pending with a delay, or failed; returns the new status."""
    attempts = row.attempts + 1
    if temporary and not gives_up(attempts, current_app.config["MAIL_MAX_ATTEMPTS"]):
        _record(
            row,
            status="pending",
            attempts=attempts,
            next_attempt_at=now + retry_delay(attempts),
            claimed_at=None,
            last_error=reason[:500],
        )
        return "pending"
    _record(row, status="failed", attempts=attempts, last_error=reason[:500])
    return "failed"


def send_pass(
    now: datetime | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PassResult:
    """Send every message due now (at most ``limit``), each once; ``should_stop()`` is asked
    before each message (a stopping ``--loop`` finishes the message in hand only)."""
    config = current_app.config
    result = PassResult()
    if not config.get("MAIL_SERVER"):
        result.no_server = True
        return result
    started = now or datetime.now(UTC)
    result.interrupted = mark_abandoned(started)
    mailer = Mailer(config)
    try:
        while limit is None or result.sent + result.retrying + result.failed < limit:
            if should_stop is not None and should_stop():
                break
            row = claim_next(now or datetime.now(UTC))
            if row is None:
                break
            moment = now or datetime.now(UTC)
            if not row.recipient.strip():
                # Removed by retention with the family's data before it could go.
                _record(row, status="failed", last_error=NO_RECIPIENT)
                result.failed += 1
                continue
            try:
                message = build_email(row, config["MAIL_DEFAULT_SENDER"])
            except (ValueError, TypeError) as error:
                _record(
                    row, status="failed", last_error=f"unusable message: {type(error).__name__}"
                )
                result.failed += 1
                continue
            try:
                mailer.send(message)
            except ConnectionFailed as error:
                # Nothing was handed over: the message waits, and so do the others.
                result.connection_error = str(error)
                if _record_failure(row, str(error), True, moment) == "pending":
                    result.retrying += 1
                else:
                    result.failed += 1
                break
            except _Refused as refusal:
                if _record_failure(row, refusal.reason, refusal.temporary, moment) == "pending":
                    result.retrying += 1
                else:
                    result.failed += 1
                continue
            except (OSError, smtplib.SMTPException) as error:
                # The server may have taken the message before the connection was lost.
                _record(
                    row, status="failed", attempts=row.attempts + 1, last_error=LOST_WHILE_SENDING
                )
                result.failed += 1
                result.connection_error = _connection_reason(error)
                mailer.close()
                continue
            _record(
                row,
                status="sent",
                sent_at=now or datetime.now(UTC),
                attempts=row.attempts + 1,
                last_error="",
            )
            result.sent += 1
    finally:
        mailer.close()
        db.session.remove()
    return result


def run_loop(
    pause_seconds: float,
    should_stop: Callable[[], bool],
    report: Callable[[PassResult], None] | None = None,
) -> PassResult:
    """Passes until ``should_stop()``, pausing between them (in short naps, to stop soon)."""
    total = PassResult()
    while not should_stop():
        result = send_pass(should_stop=should_stop)
        if report is not None:
            report(result)
        if result.no_server:
            return result
        total.sent += result.sent
        total.retrying += result.retrying
        total.failed += result.failed
        total.interrupted += result.interrupted
        deadline = time.monotonic() + pause_seconds
        while not should_stop() and time.monotonic() < deadline:
            time.sleep(min(0.2, pause_seconds))
    return total
