"""A real SMTP server on the loopback address for the mail tests (aiosmtpd), which records
every message it accepts and can be told to refuse the next ones or to answer slowly: before
its answer to the DATA command (``delay_before_content``: nothing of the message has been sent
yet) or after it has received the whole message (``delay``: it has the message, and only its
answer is late)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import Flask


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")

    @property
    def text(self) -> str:
        """Every header but the recipient's, and the body: where family data must not be."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items() if k.lower() != "to")
        return headers + "\n" + self.body


class RecordingHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusals: list[str] = []  # replies to give at DATA, the next message first
        self.delay = 0.0  # seconds before the reply to the received message
        self.delay_before_content = 0.0  # seconds before the reply (354) to DATA
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """The whole message is here: refuse it, or take it and then (after ``delay``) say so.
        A client that gives up waiting for the answer leaves the message taken."""
        with self.lock:
            refusal = self.refusals.pop(0) if self.refusals else None
            if refusal is None:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                self.received.append(Received(list(envelope.rcpt_tos), message))
        if self.delay:
            await asyncio.sleep(self.delay)
        return refusal or "250 Message accepted for delivery"


class SlowSMTP(SMTP):
    """aiosmtpd's server, which can wait before it answers the DATA command."""

    async def smtp_DATA(self, arg: str) -> None:
        handler = self.event_handler
        if isinstance(handler, RecordingHandler) and handler.delay_before_content:
            await asyncio.sleep(handler.delay_before_content)
        await super().smtp_DATA(arg)


class SlowController(Controller):
    def factory(self) -> SMTP:
        return SlowSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class SmtpServer:
    port: int
    handler: RecordingHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5.0}


def send_mail(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["send-mail", *args])
    assert result.exit_code == 0, result.output
    return result.output
