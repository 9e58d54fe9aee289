"""Reading a topic from its first message to a given end, to rebuild a projection from scratch.

A rebuild is only complete if the topic still holds every event ever written to it: no
compaction (it keeps only the newest message per key) and nothing deleted from the start of
any partition (retention, or deleteRecords). `check_complete` refuses a topic that fails either;
it cannot know about messages that were never there. The reader has no consumer group and
commits nothing: it assigns the partitions itself and reads them like `outbox.deadletters`.
"""
import logging
from collections.abc import Iterator

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource

log = logging.getLogger(__name__)

Offsets = dict[int, int]  # partition -> offset
BATCH_WAIT_S = 0.05  # after a batch's first message, how long to wait for more


class IncompleteTopic(RuntimeError):
    """The topic no longer holds every event: a rebuild from it would miss some."""


def retention_ms(bootstrap: str, topic: str, timeout_s: float = 10) -> int:
    """The topic's retention.ms; raises IncompleteTopic if it is compacted."""
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    admin = AdminClient({"bootstrap.servers": bootstrap})  # held: its futures die with it
    entries = admin.describe_configs([resource])[resource].result(timeout_s)
    if "compact" in entries["cleanup.policy"].value:
        raise IncompleteTopic(f"{topic} is compacted (cleanup.policy="
                              f"{entries['cleanup.policy'].value}): older events of a key are gone")
    return int(entries["retention.ms"].value)


class TopicReader:
    def __init__(self, bootstrap: str, topic: str, timeout_s: float = 30):
        self.topic, self.timeout_s = topic, timeout_s
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"replay-{topic}",
                                  "enable.auto.commit": False, "enable.auto.offset.store": False})

    def close(self) -> None:
        self.consumer.close()

    def watermarks(self) -> dict[int, tuple[int, int]]:
        """Per partition: (first offset still held, offset after the last message)."""
        metadata = self.consumer.list_topics(self.topic, timeout=10).topics[self.topic]
        if metadata.error is not None:
            raise KafkaException(metadata.error)
        return {p: self.consumer.get_watermark_offsets(TopicPartition(self.topic, p),
                                                       timeout=self.timeout_s)
                for p in sorted(metadata.partitions)}

    def check_complete(self) -> Offsets:
        """The start of every partition, each 0; raises IncompleteTopic if one has lost messages."""
        held = self.watermarks()
        lost = {p: low for p, (low, _) in held.items() if low > 0}
        if lost:
            raise IncompleteTopic(f"{self.topic} has lost its oldest messages (first offset held, "
                                  f"by partition: {lost})")
        return {p: 0 for p in held}

    def ends(self) -> Offsets:
        return {p: high for p, (_, high) in self.watermarks().items()}

    def read(self, starts: Offsets, ends: Offsets, batch_size: int = 500) -> Iterator[list]:
        """Batches of the messages from `starts` up to (not including) `ends`, in each
        partition's order."""
        todo = {p: end for p, end in ends.items() if starts.get(p, 0) < end}
        if not todo:
            return
        self.consumer.assign([TopicPartition(self.topic, p, starts.get(p, 0)) for p in todo])
        try:
            while todo:
                got = [m for m in self.next_batch(batch_size)
                       if m.error() is None and m.offset() < todo.get(m.partition(), -1)]
                for m in got:
                    if m.offset() + 1 >= todo[m.partition()]:
                        del todo[m.partition()]
                if got:
                    yield got
                elif not self.drop_finished(todo):
                    raise KafkaException(f"{self.topic}: nothing read for {self.timeout_s:.0f}s "
                                         f"before the end of partitions {sorted(todo)}")
        finally:
            self.consumer.unassign()

    def next_batch(self, size: int) -> list:
        """Waits for the first message only, then takes what has arrived (as the runner does)."""
        first = self.consumer.poll(self.timeout_s)
        if first is None:
            return []
        return [first, *self.consumer.consume(size - 1, BATCH_WAIT_S)] if size > 1 else [first]

    def drop_finished(self, todo: Offsets) -> bool:
        """Drops the partitions whose position reached their end without a message there (a
        transaction marker can be a partition's last offset); True if it dropped any."""
        finished = [tp.partition for tp in self.consumer.position(
            [TopicPartition(self.topic, p) for p in todo]) if tp.offset >= todo[tp.partition]]
        for partition in finished:
            del todo[partition]
        return bool(finished)
