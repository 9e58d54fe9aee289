"""OrderPlaced sent to a topic of the test's own, so that no shared payment worker sees it.

The stack's payment worker consumes sales.order and would charge (through the shared platform)
any order a test places there. Rerouting only OrderPlaced keeps the real path, outbox row,
WAL, Debezium and Kafka: the Event Router takes the topic from the outbox row's aggregate
type, so the order's OrderPlaced arrives, as Debezium writes it, on this test's topic, where
only a consumer the test starts can read it. Later events of the order (OrderPaid,
PurchaseCompleted...) keep their topics. Only this process is rerouted, not the stack's API.
"""
import uuid
from contextlib import contextmanager

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from apps.sales_api.adapters import events
from apps.sales_api.domain.orders import OrderPlaced
from apps.settings import kafka_bootstrap
from outbox.codec import DecodingError, decode


def create_topics(*names: str) -> None:
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    for future in admin.create_topics([NewTopic(name, 1, 1) for name in names]).values():
        future.result(30)


def delete_topics(*names: str) -> None:
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    for future in admin.delete_topics(list(names)).values():
        future.result(30)  # unwaited, the request may leave with the client, never sent


@contextmanager
def orders_placed_to_own_topic(label: str):
    """Yields the topic (created first: Debezium never has to wait for it) that this process's
    OrderPlaced events go to while the block runs."""
    topic = f"test.order.{label}.{uuid.uuid4().hex[:8]}"
    create_topics(topic)
    _, key_of, payload_of = events.PAYLOADS[OrderPlaced]
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setitem(events.PAYLOADS, OrderPlaced, (topic, key_of, payload_of))
            yield topic
    finally:
        delete_topics(topic)


class TopicWindow:
    """Every message of some topics from the offsets they had when this was made: what a test
    caused (and whatever else arrived meanwhile)."""

    def __init__(self, *topics: str):
        self.consumer = Consumer({"bootstrap.servers": kafka_bootstrap(),
                                  "group.id": f"test-window-{uuid.uuid4()}",
                                  "enable.auto.commit": False})
        start = []
        for topic in topics:
            metadata = self.consumer.list_topics(topic, timeout=10).topics[topic]
            for partition in metadata.partitions:
                _, high = self.consumer.get_watermark_offsets(TopicPartition(topic, partition),
                                                              timeout=10)
                start.append(TopicPartition(topic, partition, high))
        self.consumer.assign(start)
        self.messages: list = []

    def read(self) -> list:
        """The messages so far (those arrived since the last call added)."""
        while (message := self.consumer.poll(0.2)) is not None:
            if not message.error():
                self.messages.append(message)
        return self.messages

    def events(self) -> list[tuple[str, str, dict]]:
        """(topic, event type, record) of each message read so far that is one of our events."""
        found = []
        for message in self.read():
            try:
                event_type, record = decode(message.value())
            except DecodingError:
                continue  # not an event: `carrying` searches its bytes all the same
            found.append((message.topic(), event_type, record))
        return found

    def carrying(self, text: str) -> list:
        """The messages read so far whose key, value or a header holds `text`, as raw bytes."""
        def raw(message) -> bytes:
            return b"".join([message.key() or b"", message.value() or b""]
                            + [value or b"" for _, value in message.headers() or []])
        return [message for message in self.messages if text.encode() in raw(message)]

    def close(self) -> None:
        self.consumer.close()
