"""Retrying the payment platform: only when it was unavailable, with capped exponential backoff."""
from decimal import Decimal

import pytest

from apps.payments.platform import PlatformRejected, PlatformUnavailable, money, with_backoff


class Flaky:
    """Raises the given errors in turn, then answers "charged"."""

    def __init__(self, *errors: Exception):
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "charged"


@pytest.fixture
def waits() -> list[float]:
    return []


def test_unavailable_is_retried_until_an_answer(waits):
    call = Flaky(PlatformUnavailable("503"), PlatformUnavailable("timeout"))
    assert with_backoff(call, attempts=5, base_delay=1, max_delay=60, sleep=waits.append,
                        jitter=lambda: 1.0) == "charged"
    assert call.calls == 3
    assert waits == [1, 2]


def test_waits_double_up_to_the_cap(waits):
    call = Flaky(*[PlatformUnavailable("503")] * 5)
    with_backoff(call, attempts=6, base_delay=1, max_delay=5, sleep=waits.append, jitter=lambda: 1.0)
    assert waits == [1, 2, 4, 5, 5]


def test_jitter_takes_each_wait_between_half_and_all_of_it(waits):
    call = Flaky(*[PlatformUnavailable("503")] * 3)
    with_backoff(call, attempts=4, base_delay=2, max_delay=60, sleep=waits.append, jitter=lambda: 0.0)
    assert waits == [1, 2, 4]


def test_the_last_unavailable_is_raised_when_attempts_run_out(waits):
    last = PlatformUnavailable("third")
    call = Flaky(PlatformUnavailable("first"), PlatformUnavailable("second"), last)
    with pytest.raises(PlatformUnavailable) as raised:
        with_backoff(call, attempts=3, base_delay=1, max_delay=60, sleep=waits.append)
    assert raised.value is last
    assert call.calls == 3 and len(waits) == 2  # no wait after the last attempt


def test_a_rejection_is_not_retried(waits):
    call = Flaky(PlatformRejected(409, "Idempotency-Key reused"))
    with pytest.raises(PlatformRejected):
        with_backoff(call, attempts=5, base_delay=1, max_delay=60, sleep=waits.append)
    assert call.calls == 1 and waits == []


def test_an_unexpected_error_is_not_retried(waits):
    call = Flaky(KeyError("id"))
    with pytest.raises(KeyError):
        with_backoff(call, attempts=5, base_delay=1, max_delay=60, sleep=waits.append)
    assert call.calls == 1


def test_one_attempt_means_no_retry(waits):
    with pytest.raises(PlatformUnavailable):
        with_backoff(Flaky(PlatformUnavailable("503")), attempts=1, sleep=waits.append)
    assert waits == []


def test_attempts_must_be_positive():
    with pytest.raises(ValueError):
        with_backoff(Flaky(), attempts=0)


@pytest.mark.parametrize("amount, sent", [(Decimal("59.8"), "59.80"), (Decimal("59.80"), "59.80"),
                                          (Decimal("100"), "100.00")])
def test_amounts_are_sent_with_two_decimals(amount, sent):
    """The same amount written two ways is one request body: a retry never conflicts with itself."""
    assert money(amount) == sent


@pytest.mark.parametrize("amount", [59.8, Decimal("0"), Decimal("-1"), Decimal("1.005"),
                                    Decimal("NaN"), Decimal("Infinity"), "59.80"])
def test_other_amounts_are_refused(amount):
    with pytest.raises(ValueError):
        money(amount)
