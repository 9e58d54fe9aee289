"""Dead-lettered messages: list them, and re-drive them to their topic once the cause is fixed.

    python -m outbox.deadletters list [--topic sales.purchase.dlq]
    python -m outbox.deadletters redrive --all | PARTITION:OFFSET ... [--topic ...]

A re-driven message goes back to the topic it came from (its `dlq.topic` header) with its
key, value and original headers, so the consumer sees the same event id: re-driving one twice,
or one that meanwhile got applied, is absorbed by the inbox. The dead-letter topic itself is
only read (no consumer group, no committed offsets), so `list` shows everything still retained.
"""
import argparse
import sys
from dataclasses import dataclass

from confluent_kafka import Consumer, Producer, TopicPartition

DLQ_SUFFIX = ".dlq"
PREFIX = "dlq."  # the headers this module adds, and removes again on a re-drive


def dead_letter_headers(message, error: Exception, consumer: str) -> list[tuple[str, bytes]]:
    """A failed message's own headers plus where it came from and why it failed."""
    return list(message.headers() or []) + [
        (PREFIX + "error", f"{type(error).__name__}: {error}"[:2000].encode()),
        (PREFIX + "topic", message.topic().encode()),
        (PREFIX + "partition", str(message.partition()).encode()),
        (PREFIX + "offset", str(message.offset()).encode()),
        (PREFIX + "consumer", consumer.encode()),
    ]


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key == name and value is not None:
                return value.decode("utf-8", "replace")
        return ""

    @property
    def address(self) -> str:
        return f"{self.partition}:{self.offset}"

    @property
    def origin(self) -> str:
        return f"{self.header('dlq.topic')}[{self.header('dlq.partition')}]@{self.header('dlq.offset')}"


def dead_letter_topics(bootstrap: str) -> list[str]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "deadletters-tool"})
    try:
        return sorted(t for t in consumer.list_topics(timeout=10).topics if t.endswith(DLQ_SUFFIX))
    finally:
        consumer.close()


def read(bootstrap: str, topic: str, timeout_s: float = 30) -> list[DeadLetter]:
    """Everything retained in `topic`, from each partition's start to its end right now."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "deadletters-tool",
                         "enable.auto.commit": False})
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        if metadata.error is not None:
            raise SystemExit(f"cannot read {topic}: {metadata.error}")
        ends, start = {}, []
        for partition in metadata.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            if high > low:
                ends[partition] = high
                start.append(TopicPartition(topic, partition, low))
        consumer.assign(start)
        letters, done = [], set()
        while len(done) < len(ends):
            message = consumer.poll(timeout_s)
            if message is None:
                raise SystemExit(f"{topic}: no message within {timeout_s:.0f}s; is Kafka up?")
            if message.error():
                continue
            letters.append(DeadLetter(topic, message.partition(), message.offset(), message.key(),
                                      message.value(), list(message.headers() or [])))
            if message.offset() + 1 >= ends[message.partition()]:
                done.add(message.partition())
        return sorted(letters, key=lambda d: (d.partition, d.offset))
    finally:
        consumer.close()


def redrive(bootstrap: str, letters: list[DeadLetter]) -> int:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for letter in letters:
        headers = [(k, v) for k, v in letter.headers if not k.startswith(PREFIX)]
        headers.append(("dlq.redriven-from", f"{letter.dlq_topic}:{letter.address}".encode()))
        producer.produce(letter.header("dlq.topic"), key=letter.key, value=letter.value,
                         headers=headers)
    if producer.flush(30) != 0:
        raise SystemExit("not every message could be re-driven: Kafka did not acknowledge them")
    return len(letters)


def show(letters: list[DeadLetter]) -> str:
    lines = []
    for d in letters:
        lines.append(f"{d.dlq_topic} {d.address}  from {d.origin}  event {d.header('id') or '-'} "
                     f"({d.header('eventType') or '?'}) consumer {d.header('dlq.consumer')}\n"
                     f"    {d.header('dlq.error')}")
    return "\n".join(lines) or "no dead-lettered messages"


def main(argv: list[str] | None = None) -> int:
    from apps.settings import kafka_bootstrap

    parser = argparse.ArgumentParser(prog="python -m outbox.deadletters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default=kafka_bootstrap())
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every retained dead-lettered message")
    listing.add_argument("--topic", action="append", help=f"default: every *{DLQ_SUFFIX} topic")
    again = commands.add_parser("redrive", help="send messages back to their topic")
    again.add_argument("--topic", action="append", help=f"default: every *{DLQ_SUFFIX} topic")
    again.add_argument("--all", action="store_true", help="every retained message")
    again.add_argument("addresses", nargs="*", metavar="PARTITION:OFFSET")
    args = parser.parse_args(argv)

    topics = args.topic or dead_letter_topics(args.bootstrap)
    letters = [d for topic in topics for d in read(args.bootstrap, topic)]
    if args.command == "list":
        print(show(letters))
        return 0
    if not args.all and not args.addresses:
        parser.error("redrive: name PARTITION:OFFSET addresses (see `list`) or --all")
    if not args.all:
        wanted = set(args.addresses)
        unknown = wanted - {d.address for d in letters}
        if unknown:
            parser.error(f"no dead-lettered message at {', '.join(sorted(unknown))} in "
                         f"{', '.join(topics)}")
        letters = [d for d in letters if d.address in wanted]
    print(f"re-drove {redrive(args.bootstrap, letters)} message(s):\n{show(letters)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
