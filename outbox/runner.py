"""The consumer poll loop: decode, apply exactly once, dead-letter what keeps failing.

Delivery is at least once (Debezium re-sends after a crash, Kafka redelivers uncommitted
offsets). Exactly-once effect comes from recording the event id in the consumer's database in
the same transaction as the effect; the Kafka offset is stored only after that commit.
"""
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from sqlalchemy.exc import OperationalError

from outbox.codec import decode
from outbox.inbox import record_processed

log = logging.getLogger(__name__)

Handler = Callable[[dict, object], None]


@dataclass
class RunnerConfig:
    name: str  # consumer group id, also the key of its rows in processed_events
    bootstrap_servers: str
    topics: list[str]
    dead_letter_topic: str
    max_attempts: int = 3
    retry_backoff_s: float = 0.2
    # Failures of the infrastructure, not of the message (database down, deadlock): retried
    # until they pass, holding the partition, instead of dead-lettering every message meanwhile.
    transient_errors: tuple = (OperationalError,)
    max_transient_backoff_s: float = 5.0
    extra: dict = field(default_factory=dict)  # more confluent-kafka settings


def header(message, name: str) -> str | None:
    for key, value in message.headers() or []:
        if key == name and value is not None:
            return value.decode("utf-8", "replace").strip('"')
    return None


class EventRunner:
    def __init__(self, config: RunnerConfig, handlers: dict[str, Handler], uow_factory: Callable):
        self.config = config
        self.handlers = handlers
        self.uow_factory = uow_factory
        common = {"bootstrap.servers": config.bootstrap_servers}
        self.consumer = Consumer(
            {
                **common,
                "group.id": config.name,
                "auto.offset.reset": "earliest",
                # Offsets are stored by hand after the database commit, then committed in the
                # background; a crash in between means a redelivery, which the inbox absorbs.
                "enable.auto.offset.store": False,
                "enable.auto.commit": True,
                **config.extra,
            }
        )
        self.producer = Producer({**common, "enable.idempotence": True})
        self.should_stop: Callable[[], bool] = lambda: False

    def run(self, should_stop: Callable[[], bool], poll_timeout_s: float = 0.5) -> None:
        self.should_stop = should_stop
        self.consumer.subscribe(self.config.topics)
        try:
            while not should_stop():
                message = self.consumer.poll(poll_timeout_s)
                if message is None:
                    continue
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        log.warning("%s: kafka error %s", self.config.name, message.error())
                    continue
                self.process(message)
        finally:
            self.consumer.close()  # commits the stored offsets
            self.producer.flush(10)

    def process(self, message) -> None:
        error, attempt, transient_failures = None, 0, 0
        while attempt < self.config.max_attempts:
            try:
                self.apply(message)
                error = None
                break
            except self.config.transient_errors as exc:
                if self.should_stop():
                    return  # offset not stored: the message is delivered again after a restart
                transient_failures += 1
                delay = min(self.config.max_transient_backoff_s,
                            self.config.retry_backoff_s * 2 ** min(transient_failures, 10))
                log.warning("%s: transient failure, retrying in %.1fs: %r", self.config.name,
                            delay, exc)
                time.sleep(delay)
            except Exception as exc:  # a failure of this message: retry, then dead-letter
                attempt += 1
                error = exc
                log.warning("%s: attempt %d/%d failed at %s[%d]@%d: %r", self.config.name, attempt,
                            self.config.max_attempts, message.topic(), message.partition(),
                            message.offset(), exc)
                if attempt < self.config.max_attempts:
                    time.sleep(self.config.retry_backoff_s * attempt)
        if error is not None:
            self.dead_letter(message, error)
        self.consumer.store_offsets(message=message)

    def apply(self, message) -> None:
        event_type, event = decode(message.value())
        event_id = header(message, "id") or str(event.get("event_id"))
        with self.uow_factory() as uow:
            if not record_processed(uow.session, self.config.name, event_id, event_type):
                log.info("%s: %s %s already processed, skipped", self.config.name, event_type, event_id)
                return
            handler = self.handlers.get(event_type)
            if handler is None:
                log.info("%s: no handler for %s %s; recorded and ignored", self.config.name,
                         event_type, event_id)
            else:
                handler(event, uow)
            uow.commit()

    def dead_letter(self, message, error: Exception) -> None:
        headers = list(message.headers() or []) + [
            ("dlq.error", f"{type(error).__name__}: {error}"[:2000].encode()),
            ("dlq.topic", message.topic().encode()),
            ("dlq.partition", str(message.partition()).encode()),
            ("dlq.offset", str(message.offset()).encode()),
            ("dlq.consumer", self.config.name.encode()),
        ]
        self.producer.produce(self.config.dead_letter_topic, key=message.key(),
                              value=message.value(), headers=headers)
        if self.producer.flush(10) != 0:
            # Not delivered: stop rather than move past a message we could not park.
            raise KafkaException(f"dead-letter topic {self.config.dead_letter_topic} unreachable")
        log.error("%s: %s[%d]@%d dead-lettered: %r", self.config.name, message.topic(),
                  message.partition(), message.offset(), error)
