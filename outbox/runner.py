"""The consumer poll loop: batches in, one transaction each, offsets after the commit.

Delivery is at least once (Debezium re-sends after a crash, Kafka redelivers uncommitted
offsets). Exactly-once effect comes from the inbox: event ids are recorded in the consumer's
database in the same transaction as the effects (outbox/batch.py); the offsets are stored only
after that commit, so a crash before it redelivers the whole batch, which is then a no-op.

While the database is away the batch is held and the partitions paused, and the loop keeps
polling (outbox/outage.py). Fatal Kafka errors stop the process with a clear log line; the
supervisor restarts it. The loop reports its health (outbox/health.py) and metrics
(outbox/metrics.py), including the consumer lag from librdkafka's statistics.
"""
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from sqlalchemy.exc import OperationalError

from outbox.batch import BatchApplier, Failure, Handlers
from outbox.codec import DecodingError
from outbox.deadletters import dead_letter_headers
from outbox.envelope import header, open_envelope
from outbox.health import LoopHealth
from outbox.inbox import PURGE_CHUNK
from outbox.metrics import ConsumerMetrics
from outbox.outage import Outage

log = logging.getLogger(__name__)


class FatalKafkaError(RuntimeError):
    """The Kafka client cannot go on (e.g. fenced, unsupported feature): stop and restart."""


@dataclass
class RunnerConfig:
    name: str  # consumer group id, also the key of its rows in processed_events
    bootstrap_servers: str
    topics: list[str]
    dead_letter_topic: str
    batch_size: int = 500
    batch_wait_s: float = 0.002  # after the first message, how long to wait for more
    poll_timeout_s: float = 0.5
    max_attempts: int = 3  # per event, inside its savepoint, before it is dead-lettered
    # Failures of the infrastructure, not of the message (database down, deadlock): the batch
    # is held and retried with backoff, never dead-lettered.
    transient_errors: tuple = (OperationalError,)
    retry_backoff_s: float = 0.2
    max_transient_backoff_s: float = 5.0
    inbox_window: timedelta | None = None  # None: processed-event rows are kept forever
    purge_every_s: float = 600.0
    report_every_s: float = 60.0  # a progress line when anything happened
    stats_every_ms: int = 5000  # librdkafka statistics, the source of the lag metric
    extra: dict = field(default_factory=dict)  # more confluent-kafka consumer settings

    @property
    def max_poll_interval_s(self) -> float:  # librdkafka's default is 300 s
        return self.extra.get("max.poll.interval.ms", 300_000) / 1000


class EventRunner:
    def __init__(self, config: RunnerConfig, handlers: Handlers, uow_factory: Callable,
                 event_types: dict[str, type] | None = None, consumer=None, producer=None,
                 clock: Callable[[], float] = time.monotonic, metrics: ConsumerMetrics | None = None):
        self.config = config
        self.uow_factory = uow_factory
        self.event_types = event_types or {}
        self.applier = BatchApplier(config.name, handlers, uow_factory, config.max_attempts,
                                    config.transient_errors)
        self.clock = clock
        self.metrics = metrics or ConsumerMetrics(config.name)
        self.health = LoopHealth(clock, config.max_poll_interval_s)
        self.consumer = consumer or self.kafka_consumer()
        self.producer = producer or Producer({"bootstrap.servers": config.bootstrap_servers,
                                              "enable.idempotence": True,
                                              "error_cb": self.on_kafka_error})
        self.fatal: KafkaError | None = None
        self.outage = Outage(config.name, self.consumer, clock, config.retry_backoff_s,
                             config.max_transient_backoff_s, self.metrics.waiting_for_database)
        self.next_purge = clock()
        self.counts = {"applied": 0, "duplicates": 0, "dead_lettered": 0}
        self.reported = (clock(), dict(self.counts))

    def kafka_consumer(self) -> Consumer:
        return Consumer({
            "bootstrap.servers": self.config.bootstrap_servers,
            "group.id": self.config.name,
            "auto.offset.reset": "earliest",
            # Offsets are stored by hand after the database commit, then committed in the
            # background; a crash in between means a redelivery, which the inbox absorbs.
            "enable.auto.offset.store": False,
            "enable.auto.commit": True,
            "error_cb": self.on_kafka_error,
            # librdkafka backs off up to 10 s between reconnects by default; after a broker
            # restart that alone could leave the consumer idle for seconds.
            "reconnect.backoff.max.ms": 1000,
            "statistics.interval.ms": self.config.stats_every_ms,
            "stats_cb": self.metrics.kafka_stats,
            **self.config.extra,
        })

    def on_kafka_error(self, error: KafkaError) -> None:
        if error.fatal():
            self.fatal = error
        else:  # e.g. all brokers down: librdkafka reconnects by itself
            log.warning("%s: kafka: %s", self.config.name, error)

    # The loop ------------------------------------------------------------------------------
    def run(self, should_stop: Callable[[], bool]) -> None:
        self.consumer.subscribe(self.config.topics, on_assign=self.on_assign,
                                on_revoke=self.on_revoke, on_lost=self.on_lost)
        self.health.started()
        try:
            while not should_stop():
                self.step()
        finally:
            self.health.stopped()
            self.consumer.close()  # commits the stored offsets, leaves the group
            self.producer.flush(10)

    @property
    def held(self) -> list | None:
        return self.outage.held

    def step(self) -> None:
        self.health.polled()  # each step polls, except a retry after an outage's backoff
        if self.held is not None:
            batch = self.outage.wait(self.consume_paused, self.config.poll_timeout_s)
            if batch is not None:
                self.process(batch)
                self.outage.retried()
        else:
            batch = self.next_batch()
            if batch:
                self.process(batch)
        self.purge_inbox()
        self.report()

    def report(self) -> None:
        since, before = self.reported
        elapsed = self.clock() - since
        if elapsed < self.config.report_every_s:
            return
        done = {k: v - before[k] for k, v in self.counts.items()}
        if any(done.values()):
            log.info("%s: last %.0fs: %d applied (%.0f/s), %d duplicates, %d dead-lettered%s",
                     self.config.name, elapsed, done["applied"], done["applied"] / elapsed,
                     done["duplicates"], done["dead_lettered"],
                     "; waiting for the database" if self.held is not None else "")
        self.reported = (self.clock(), dict(self.counts))

    def next_batch(self) -> list:
        """Blocks for the first message only, then takes what arrives within batch_wait_s."""
        first = self.consumer.poll(self.config.poll_timeout_s)
        if first is None:
            return self.checked([])
        rest = []
        if self.config.batch_size > 1:
            rest = self.consumer.consume(self.config.batch_size - 1, self.config.batch_wait_s)
        return self.checked([first, *rest])

    def checked(self, messages: list) -> list:
        """Drops Kafka's error events from a batch; raises on a fatal one."""
        if self.fatal is not None:
            raise FatalKafkaError(f"{self.config.name}: fatal Kafka error, stopping: {self.fatal}")
        good = []
        for message in messages:
            error = message.error()
            if error is None:
                good.append(message)
            elif error.fatal():
                raise FatalKafkaError(f"{self.config.name}: fatal Kafka error, stopping: {error}")
            elif error.code() != KafkaError._PARTITION_EOF:
                log.warning("%s: kafka error %s", self.config.name, error)
        return good

    def consume_paused(self, timeout_s: float) -> list:
        return self.checked(self.consumer.consume(self.config.batch_size, timeout_s))

    def process(self, batch: list) -> None:
        started = self.clock()
        envelopes, failures = [], []
        for message in batch:
            try:
                envelopes.append(open_envelope(message, self.event_types))
            except DecodingError as error:  # not ours, or a schema we don't hold: park it
                failures.append(Failure(message, error))
        try:
            outcome = self.applier.apply(envelopes)
        except self.config.transient_errors as error:
            self.outage.hold(batch, error)
            return
        self.metrics.batch_committed(len(batch), outcome, self.clock() - started)
        self.dead_letter(failures + outcome.failed)
        self.store_offsets(batch)
        self.counts["applied"] += len(outcome.applied)
        self.counts["duplicates"] += outcome.duplicates

    # Rebalances ----------------------------------------------------------------------------
    def on_assign(self, consumer, partitions) -> None:
        self.health.assigned(partitions)

    def on_revoke(self, consumer, partitions) -> None:
        self.outage.let_go(partitions)
        self.health.revoked(partitions)

    def on_lost(self, consumer, partitions) -> None:
        self.outage.let_go(partitions)
        self.health.revoked(partitions, lost=True)

    # After the commit ----------------------------------------------------------------------
    def store_offsets(self, batch: list) -> None:
        last: dict[tuple[str, int], int] = {}
        for message in batch:
            key = (message.topic(), message.partition())
            last[key] = max(last.get(key, -1), message.offset())
        try:
            self.consumer.store_offsets(
                offsets=[TopicPartition(t, p, offset + 1) for (t, p), offset in last.items()])
        except KafkaException as error:  # the partition was revoked meanwhile
            log.info("%s: offsets not stored (%s); the new owner's redelivery is a no-op",
                     self.config.name, error)

    def dead_letter(self, failures: list[Failure]) -> None:
        for failure in failures:
            message = failure.message
            self.producer.produce(self.config.dead_letter_topic, key=message.key(),
                                  value=message.value(),
                                  headers=dead_letter_headers(message, failure.error,
                                                              self.config.name))
        if not failures:
            return
        if self.producer.flush(10) != 0:
            # Not delivered: stop rather than move past messages we could not park.
            raise KafkaException(f"dead-letter topic {self.config.dead_letter_topic} unreachable")
        for failure in failures:
            m = failure.message
            log.error("%s: %s[%d]@%d (event %s) dead-lettered: %r", self.config.name, m.topic(),
                      m.partition(), m.offset(), header(m, "id"), failure.error)
        self.counts["dead_lettered"] += len(failures)
        self.metrics.parked(failures)

    def purge_inbox(self) -> None:
        window = self.config.inbox_window
        if window is None or self.held is not None or self.clock() < self.next_purge:
            return
        try:
            with self.uow_factory() as uow:
                purged = uow.inbox.purge(self.config.name, window)
                uow.commit()
        except self.config.transient_errors as error:
            log.warning("%s: inbox purge postponed: %s", self.config.name, error)
            purged = 0
        if purged:
            log.info("%s: purged %d processed-event rows older than %s", self.config.name,
                     purged, window)
        # A full chunk means more is due: go on at the next step instead of in one long delete.
        self.next_purge = self.clock() + (0 if purged == PURGE_CHUNK else self.config.purge_every_s)
