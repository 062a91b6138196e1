"""A handler for aiosmtpd (``make mail-debug``): prints every message it receives, decoded,
and delivers none. For trying the e-mail notices on one's own machine only.

    python -m aiosmtpd -n -l 127.0.0.1:1025 -c pyydaapua.tools.mail_debug.PrintMessages
"""

from __future__ import annotations

import email
import email.policy
from typing import Any


class PrintMessages:
    """Print the envelope's recipients, the headers a reader needs and the plain-text body."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        print("-" * 72)
        print(f"To (envelope): {', '.join(envelope.rcpt_tos)}")
        for name in ("From", "To", "Subject", "Date", "Message-ID"):
            print(f"{name}: {message.get(name, '')}")
        print()
        body = message.get_body(("plain",)) if hasattr(message, "get_body") else None
        text = body.get_content() if body is not None else message.get_payload()
        print(str(text).replace("\r\n", "\n").rstrip())
        print("-" * 72, flush=True)
        return "250 Message accepted (printed, not delivered)"
