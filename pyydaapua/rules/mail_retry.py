"""When an e-mail that could not be delivered is tried again, and when it is given up.

Pure rules for ``flask send-mail``: the delay grows 1, 2, 4, 8 … minutes after each failed
attempt, never beyond an hour; an SMTP reply of 4xx is temporary, any other refusal permanent.
A connection lost or timed out with no reply is temporary as long as the message's content
had not been sent in full; once it had, the server may have taken it, only its answer is
missing, and the message is "uncertain": left for a person, never sent again on its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

FIRST_DELAY_MINUTES = 1
LONGEST_DELAY_MINUTES = 60
# A message claimed this long ago and never marked sent or failed: its sender died.
SENDING_ABANDONED_AFTER = timedelta(minutes=15)


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait before the next attempt, after ``failed_attempts`` failures (>= 1)."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts must be at least 1")
    # Capped before the power so that a huge count costs nothing.
    exponent = min(failed_attempts - 1, LONGEST_DELAY_MINUTES.bit_length())
    minutes = min(FIRST_DELAY_MINUTES * 2**exponent, LONGEST_DELAY_MINUTES)
    return timedelta(minutes=minutes)


def is_temporary(smtp_code: int) -> bool:
    """An SMTP reply code that means "try again later" (4xx)."""
    return 400 <= smtp_code < 500


def gives_up(failed_attempts: int, max_attempts: int) -> bool:
    """Whether a message that failed ``failed_attempts`` times in all is not tried again."""
    return failed_attempts >= max(max_attempts, 1)


# What becomes of a message after an attempt that did not end in a 2xx reply.
Outcome = Literal["pending", "failed", "uncertain"]


def outcome_after(
    reply_code: int | None, content_sent: bool, failed_attempts: int, max_attempts: int
) -> Outcome:
    """The status of a message after an attempt that failed (``failed_attempts`` counts it).

    ``reply_code`` is the server's refusal, or None when no reply came (the connection was
    lost or timed out); ``content_sent`` says whether the message's content had been sent in
    full, up to its end-of-data line, before that. A refusal is a reply, so nothing was taken.
    """
    if reply_code is None and content_sent:
        return "uncertain"
    temporary = reply_code is None or is_temporary(reply_code)
    if temporary and not gives_up(failed_attempts, max_attempts):
        return "pending"
    return "failed"
