"""When undelivered e-mail is tried again, and when it is given up."""

from datetime import timedelta

import pytest

from pyydaapua.rules.mail_retry import gives_up, is_temporary, outcome_after, retry_delay


@pytest.mark.parametrize(
    ("failed", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (1000, 60)],
)
def test_the_delay_doubles_up_to_an_hour(failed: int, minutes: int) -> None:
    assert retry_delay(failed) == timedelta(minutes=minutes)


@pytest.mark.parametrize("failed", [0, -1])
def test_there_is_no_delay_before_a_failure(failed: int) -> None:
    with pytest.raises(ValueError):
        retry_delay(failed)


@pytest.mark.parametrize(
    ("code", "temporary"),
    [(399, False), (400, True), (421, True), (451, True), (499, True), (500, False), (550, False)],
)
def test_only_4xx_replies_are_temporary(code: int, temporary: bool) -> None:
    assert is_temporary(code) is temporary


def test_it_gives_up_after_the_last_attempt() -> None:
    assert not gives_up(7, 8)
    assert gives_up(8, 8)
    assert gives_up(9, 8)
    assert gives_up(1, 1)
    assert gives_up(1, 0)  # a nonsensical setting still tries once


@pytest.mark.parametrize(
    ("reply", "content_sent", "attempts", "outcome"),
    [
        # No reply before the content was sent in full (a timeout waiting for the answer to
        # MAIL, RCPT or DATA, a connection lost then): nothing was taken, so it is retried.
        (None, False, 1, "pending"),
        (None, False, 7, "pending"),
        (None, False, 8, "failed"),  # but not beyond the last attempt
        # No reply after the content was sent: the server may have it; a person checks.
        (None, True, 1, "uncertain"),
        (None, True, 8, "uncertain"),
        # A refusal is a reply: the server did not take it, whenever it came.
        (451, False, 1, "pending"),
        (451, True, 1, "pending"),
        (421, False, 8, "failed"),
        (550, False, 1, "failed"),
        (554, True, 1, "failed"),
    ],
)
def test_what_becomes_of_a_message_after_a_failed_attempt(
    reply: int | None, content_sent: bool, attempts: int, outcome: str
) -> None:
    assert outcome_after(reply, content_sent, attempts, 8) == outcome
