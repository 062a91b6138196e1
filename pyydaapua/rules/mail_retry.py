"""When an e-mail that could not be delivered is tried again, and when it is given up.

Pure rules for ``flask send-mail``: the delay grows 1, 2, 4, 8 … minutes after each failed
attempt, never beyond an hour; an SMTP reply of 4xx is temporary, any other refusal permanent.
"""

from __future__ import annotations

from datetime import timedelta

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
