"""A batch held while the consumer's database is away, with its partitions paused.

While the database is away the batch is held in memory and the assigned partitions are paused
(librdkafka drops what it prefetched and resumes after the held batch); the loop keeps polling,
so the consumer stays in its group however long the outage lasts. Retries back off
exponentially up to max_transient_backoff_s. Failures of the message, not of the database, never
come here: they are dead-lettered (outbox/batch.py).
"""
import logging
from typing import Callable

log = logging.getLogger(__name__)


class Outage:
    def __init__(self, name: str, consumer, clock: Callable[[], float], backoff_s: float,
                 max_backoff_s: float, on_change: Callable[[bool], None] = lambda waiting: None):
        self.name, self.consumer, self.clock = name, consumer, clock
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.on_change = on_change  # e.g. the consumer_waiting_for_database gauge
        self.held: list | None = None  # the batch waiting for the database
        self.failures = 0
        self.retry_at = 0.0

    def hold(self, batch: list, error: Exception) -> None:
        self.held = batch
        self.failures += 1
        delay = min(self.max_backoff_s, self.backoff_s * 2 ** min(self.failures - 1, 10))
        self.retry_at = self.clock() + delay
        self.consumer.pause(self.consumer.assignment())
        self.on_change(True)
        log.warning("%s: unavailable (%s); %d messages held, partitions paused, "
                    "retrying in %.1fs", self.name, str(error).splitlines()[0][:200],
                    len(batch), delay)

    def wait(self, consume: Callable[[float], list], poll_timeout_s: float) -> list | None:
        """Polls until the retry is due, then hands back the held batch to apply again."""
        remaining = self.retry_at - self.clock()
        if remaining > 0:
            # Polling while paused keeps the group membership and serves rebalances; it
            # returns nothing for paused partitions. Newly assigned ones are paused too.
            self.held.extend(consume(min(remaining, poll_timeout_s)))
            self.consumer.pause(self.consumer.assignment())
            return None
        batch, self.held = self.held, None
        return batch

    def retried(self) -> None:
        """After the retry of the held batch: over unless it was held again."""
        if self.held is not None:
            return
        self.consumer.resume(self.consumer.assignment())
        self.on_change(False)
        log.warning("%s: database back after %d failed attempts; partitions resumed",
                    self.name, self.failures)
        self.failures = 0

    def let_go(self, partitions) -> None:
        """Held messages of partitions we no longer own go back to Kafka: the new owner gets
        them again from the committed offset."""
        if self.held:
            lost = {(p.topic, p.partition) for p in partitions}
            self.held = [m for m in self.held if (m.topic(), m.partition()) not in lost]
