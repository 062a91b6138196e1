"""`make mail-debug`'s handler prints each message readably: headers decoded, body as text."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from types import SimpleNamespace

from pyydaapua.tools.mail_debug import PrintMessages


def test_a_message_is_printed_decoded(capsys) -> None:
    message = EmailMessage()
    message["From"] = "Pyydä apua <no-reply@example.fi>"
    message["To"] = "tiimi@example.fi"
    message["Subject"] = "Määräpäivä tänään: ACDE-FHJK"
    message.set_content("Pyynnön tunnus: ACDE-FHJK\nÄäkköset näkyvät.\n", charset="utf-8")
    envelope = SimpleNamespace(rcpt_tos=["tiimi@example.fi"], content=message.as_bytes())
    # In a thread of its own: the browser tests' event loop may be running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        reply = pool.submit(
            lambda: asyncio.run(PrintMessages().handle_DATA(None, None, envelope))
        ).result()
    assert reply.startswith("250 ")
    printed = capsys.readouterr().out
    assert "To (envelope): tiimi@example.fi" in printed
    assert "Subject: Määräpäivä tänään: ACDE-FHJK" in printed
    assert "Pyynnön tunnus: ACDE-FHJK\nÄäkköset näkyvät." in printed
