"""The poll loop's retry policy, with a fake message and a fake consumer (no servers)."""
import pytest
from sqlalchemy.exc import OperationalError

from outbox.codec import encode
from outbox.runner import EventRunner, RunnerConfig

CANCELLED = {"event_id": "e1", "purchase_id": "p1", "buyer_email": "a@example.com",
             "product_id": "123456", "occurred_at": 0}


class FakeMessage:
    def __init__(self, value):
        self._value = value

    def value(self): return self._value
    def key(self): return b"a@example.com"
    def headers(self): return [("id", b"e1")]
    def topic(self): return "sales.purchase"
    def partition(self): return 0
    def offset(self): return 42


class FakeConsumer:
    def __init__(self):
        self.stored = []

    def store_offsets(self, message):
        self.stored.append(message.offset())


class FlakyUnitOfWork:
    """Fails with `error` for the first `failures` transactions, then works."""

    def __init__(self, failures: int, error: Exception, log: list):
        self.failures, self.error, self.log = failures, error, log

    def __call__(self):
        return self

    def __enter__(self):
        if self.failures:
            self.failures -= 1
            raise self.error
        self.session = None
        return self

    def __exit__(self, *exc):
        return False

    def commit(self):
        self.log.append("commit")


@pytest.fixture
def make_runner(monkeypatch):
    monkeypatch.setattr("outbox.runner.record_processed", lambda *args: True)

    def make(uow, handlers):
        config = RunnerConfig("test", "127.0.0.1:1", ["t"], "t.dlq", max_attempts=3,
                              retry_backoff_s=0.001, max_transient_backoff_s=0.001)
        runner = EventRunner(config, handlers, uow)
        runner.consumer, parked = FakeConsumer(), []
        runner.dead_letter = lambda message, error: parked.append(error)
        return runner, parked
    return make


def test_a_database_outage_is_retried_until_it_passes_not_dead_lettered(make_runner):
    log = []
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    runner, parked = make_runner(FlakyUnitOfWork(10, down, log), {"PurchaseCancelled": lambda e, u: log.append("applied")})
    runner.process(FakeMessage(encode("PurchaseCancelled", CANCELLED)))
    assert parked == [] and log == ["applied", "commit"]
    assert runner.consumer.stored == [42]


def test_a_failing_message_is_dead_lettered_after_bounded_attempts_and_the_offset_moves_on(make_runner):
    attempts = []

    def broken_handler(event, uow):
        attempts.append(1)
        raise ValueError("bad business data")

    runner, parked = make_runner(FlakyUnitOfWork(0, None, []), {"PurchaseCancelled": broken_handler})
    runner.process(FakeMessage(encode("PurchaseCancelled", CANCELLED)))
    assert len(attempts) == 3 and [type(e) for e in parked] == [ValueError]
    assert runner.consumer.stored == [42]


def test_stopping_during_an_outage_leaves_the_offset_for_redelivery(make_runner):
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    runner, parked = make_runner(FlakyUnitOfWork(10**6, down, []), {})
    runner.should_stop = lambda: True
    runner.process(FakeMessage(encode("PurchaseCancelled", CANCELLED)))
    assert parked == [] and runner.consumer.stored == []
