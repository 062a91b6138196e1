"""Delivering the outbox: ``flask send-mail``.

Several senders may run at once, on several hosts. Each message is claimed before it is sent:
the row is selected ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; on SQLite there is one sender),
then ``UPDATE … SET status='sending' WHERE id=… AND status='pending'`` is committed, and only
the sender whose update changed the row sends it.

A message is never sent twice, and never lost without a word. What an attempt that did not
end in a 2xx reply leads to is ``rules.mail_retry.outcome_after``:

- a refusal (a reply) of 4xx, or no reply at all (a timeout, a lost connection) *before the
  message's content was sent in full*: back to 'pending', tried again after the back-off;
  the server cannot deliver a message whose end-of-data line it never got;
- a 5xx refusal, or the last attempt: 'failed';
- no reply *after* the content was sent in full: 'uncertain'. The server may have taken it and
  only its answer was lost, so it is left for a person (``/staff/mail``), never sent again on
  its own. A row still 'sending' long after its claim belongs to a sender that died between
  the claim and the result: 'uncertain' too.

Which of the two sides of the content a lost connection fell on is told by ``TrackingSMTP``.
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
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select, update

from pyydaapua.database import db
from pyydaapua.models import OutboxMessage
from pyydaapua.rules.mail_retry import SENDING_ABANDONED_AFTER, outcome_after, retry_delay

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

INTERRUPTED = "interrupted while sending: check the mail server's log before resending"
NO_RECIPIENT = "no recipient: the address was removed with the family's data"
# Not a server's reply: a refusal made by smtplib itself, which is never temporary.
NOT_A_REPLY = 0


@dataclass
class PassResult:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    interrupted: int = 0
    no_server: bool = False
    connection_error: str = ""

    def summary(self) -> str:
        if self.no_server:
            return "MAIL_SERVER is not set: nothing sent, messages stay pending in the outbox."
        line = (
            f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}, "
            f"uncertain {self.uncertain}, "
            f"interrupted earlier and marked uncertain {self.interrupted}"
        )
        if self.connection_error:
            line += f"; mail server unreachable: {self.connection_error}"
        return line


class ConnectionFailed(Exception):
    """The mail server could not be reached or refused the session (not one message)."""


class _Refused(Exception):
    """The server refused one message with the reply ``code`` (4xx: temporary)."""

    def __init__(self, reason: str, code: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class _NoReply(Exception):
    """The connection was lost or timed out while one message was being sent, with no reply;
    ``content_sent`` says whether its content had gone in full before that."""

    def __init__(self, reason: str, content_sent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content_sent = content_sent


class TrackingSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that tells whether the message in hand has been sent in full.

    ``SMTP.data()`` sends DATA and reads the reply; only on 354 ("start mail input") does it
    send the content, ending with the end-of-data line, in one ``send()``, and then read the
    final reply. So after a 354 the next ``send()`` carries the content, and once it has
    returned, the server has the whole message and may deliver it even if its answer never
    comes (``content_sent``). A timeout or a lost connection before that (waiting for the
    answer to MAIL, RCPT or DATA, or part-way through the content) leaves the server nothing
    to deliver. The stdlib's own ``send_message`` is used as it is; only these two calls are
    watched. ``start_message()`` before each message.
    """

    content_sent = False
    _content_next = False

    def start_message(self) -> None:
        self.content_sent = self._content_next = False

    def getreply(self) -> tuple[int, bytes]:
        code, text = super().getreply()
        self._content_next = code == 354
        return code, text

    def send(self, s: ReadableBuffer | str) -> None:
        content, self._content_next = self._content_next, False
        super().send(s)
        if content:
            self.content_sent = True


class TrackingSMTPSSL(TrackingSMTP, smtplib.SMTP_SSL):
    """The same over SMTPS (``MAIL_USE_SSL``)."""


def _reply_reason(code: int, text: bytes | str) -> str:
    """A short reason from an SMTP reply: the code and its enhanced status code (5.1.1), never
    the rest of the text, which may repeat an address."""
    words = (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)).split()
    detail = words[0] if words and words[0][:1].isdigit() and "." in words[0] else ""
    return f"SMTP {code} {detail}".strip()


def _refusal(error: smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException) -> _Refused:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return _Refused(_reply_reason(code, text), code)
    return _Refused(_reply_reason(error.smtp_code, error.smtp_error), error.smtp_code)


class Mailer:
    """One SMTP session for a pass, opened when the first message is claimed."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: TrackingSMTP | None = None

    def _connect(self) -> TrackingSMTP:
        config = self.config
        host, port, timeout = (
            config["MAIL_SERVER"],
            int(config["MAIL_PORT"]),
            config["MAIL_TIMEOUT"],
        )
        try:
            smtp: TrackingSMTP
            if config["MAIL_USE_SSL"]:
                smtp = TrackingSMTPSSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = TrackingSMTP(host, port, timeout=timeout)
                if config["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionFailed(_connection_reason(error)) from error
        return smtp

    def session(self) -> TrackingSMTP:
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
        """Send one message; raises ConnectionFailed when no session could be opened,
        _Refused for a refusal, _NoReply when the connection was lost or timed out."""
        smtp = self.session()
        smtp.start_message()
        try:
            smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
            raise _refusal(error) from error
        except smtplib.SMTPServerDisconnected as error:
            self.drop()
            raise _NoReply(_connection_reason(error), smtp.content_sent) from error
        except smtplib.SMTPException as error:
            # Refused by smtplib itself before anything was sent (e.g. SMTPUTF8 not offered).
            raise _Refused(type(error).__name__, NOT_A_REPLY) from error
        except OSError as error:  # a socket error smtplib did not wrap (TLS, for one)
            self.drop()
            raise _NoReply(_connection_reason(error), smtp.content_sent) from error

    def drop(self) -> None:
        """Forget a session whose connection is broken, without talking to the server."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

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
    """Mark uncertain the rows left 'sending' by a sender that died (claimed long ago): the
    server may or may not have taken them."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_at < now - SENDING_ABANDONED_AFTER,
        )
        .values(status="uncertain", last_error=INTERRUPTED)
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


def _record_failure(
    row: OutboxMessage,
    reason: str,
    now: datetime,
    reply_code: int | None,
    content_sent: bool = False,
) -> str:
    """Back to pending with a delay, failed or uncertain (``outcome_after``); returns which."""
    attempts = row.attempts + 1
    status = outcome_after(
        reply_code, content_sent, attempts, current_app.config["MAIL_MAX_ATTEMPTS"]
    )
    if status == "pending":
        _record(
            row,
            status="pending",
            attempts=attempts,
            next_attempt_at=now + retry_delay(attempts),
            claimed_at=None,
            last_error=reason[:500],
        )
    else:
        _record(row, status=status, attempts=attempts, last_error=reason[:500])
    return status


def _count(result: PassResult, status: str) -> None:
    if status == "pending":
        result.retrying += 1
    elif status == "uncertain":
        result.uncertain += 1
    else:
        result.failed += 1


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
        while (
            limit is None
            or result.sent + result.retrying + result.failed + result.uncertain < limit
        ):
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
                _count(result, _record_failure(row, str(error), moment, reply_code=None))
                break
            except _Refused as refusal:
                _count(result, _record_failure(row, refusal.reason, moment, refusal.code))
                continue
            except _NoReply as lost:
                # Retried, or uncertain when the content had gone. A server that stopped
                # answering is not asked again in this pass: the others wait for the next.
                result.connection_error = lost.reason
                reason = lost.reason
                if lost.content_sent:
                    reason = "no answer after the message was sent: " + reason
                status = _record_failure(
                    row, reason, moment, reply_code=None, content_sent=lost.content_sent
                )
                _count(result, status)
                break
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
        total.uncertain += result.uncertain
        total.interrupted += result.interrupted
        deadline = time.monotonic() + pause_seconds
        while not should_stop() and time.monotonic() < deadline:
            time.sleep(min(0.2, pause_seconds))
    return total
