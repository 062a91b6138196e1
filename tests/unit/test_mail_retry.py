"""When undelivered e-mail is tried again, and when it is given up."""

from datetime import timedelta

import pytest

from pyydaapua.rules.mail_retry import gives_up, is_temporary, retry_delay


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
