"""A backlog of PurchaseCompleted events produced straight to a fresh 3-partition topic.

The drain runs read it as the sales pipeline would have written it (same key, headers and Avro
encoding), without going through the API, so they measure the consumer alone. Most buyers are
new; every tenth event is a repeat buyer, whose second purchase queues behind the first (the
path that reads existing grants).
"""
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from outbox.codec import encode
from tests.bench.common import KAFKA_BOOTSTRAP, PRODUCTS, ROLES, env_int, say

PARTITIONS = env_int("BENCH_DRAIN_PARTITIONS", 3)
REPEAT_EVERY = 10


@dataclass(frozen=True)
class Backlog:
    topic: str
    events: int
    grants: int  # sum of the roles of every event: the grants rows exactly once gives
    buyers: int


def create_topic(admin: AdminClient, topic: str) -> None:
    futures = admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])
    futures[topic].result(30)


def delete_topic(topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": KAFKA_BOOTSTRAP, "log_level": 4})
    admin.delete_topics([topic])[topic].result(30)


def events(count: int, seed: int = 5):
    """(key, value, headers, roles) of `count` PurchaseCompleted events, reproducible by seed."""
    rng, buyers = random.Random(seed), []
    run = uuid.uuid4().hex[:8]
    for i in range(count):
        if buyers and i % REPEAT_EVERY == 0:
            buyer = rng.choice(buyers)
        else:
            buyer = f"drain-{run}-{i}@example.com"
            buyers.append(buyer)
        product = PRODUCTS[i % 2]
        event_id = str(uuid.uuid4())
        record = {"event_id": event_id, "purchase_id": str(uuid.uuid4()), "buyer_email": buyer,
                  "product_id": product, "roles": ROLES[product],
                  "access_period": {"unit": "MONTH", "count": 1},
                  "occurred_at": datetime.now(timezone.utc)}
        headers = [("id", event_id.encode()), ("eventType", b"PurchaseCompleted")]
        yield buyer, encode("PurchaseCompleted", record), headers, len(ROLES[product])


def produce_backlog(count: int) -> Backlog:
    topic = f"bench.drain.{uuid.uuid4().hex[:8]}"
    create_topic(AdminClient({"bootstrap.servers": KAFKA_BOOTSTRAP, "log_level": 4}), topic)
    producer = Producer({"bootstrap.servers": KAFKA_BOOTSTRAP, "enable.idempotence": True,
                         "linger.ms": 50, "compression.type": "lz4",
                         "queue.buffering.max.messages": 200_000})
    failed: list[str] = []

    def delivered(error, _message):
        if error is not None:
            failed.append(str(error))

    say(f"producing a backlog of {count} events to {topic} ({PARTITIONS} partitions) ...")
    grants, buyers, step = 0, set(), max(1, count // 5)
    for i, (key, value, headers, roles) in enumerate(events(count), 1):
        while True:
            try:
                producer.produce(topic, value, key.encode(), headers=headers, on_delivery=delivered)
                break
            except BufferError:  # local queue full: let deliveries drain it
                producer.poll(0.1)
        producer.poll(0)
        grants += roles
        buyers.add(key)
        if i % step == 0:
            say(f"  {i}/{count} produced")
    if producer.flush(60) or failed:
        raise RuntimeError(f"backlog not fully written to {topic}: {failed[:3]}")
    say(f"  backlog ready: {count} events, {grants} roles, {len(buyers)} distinct buyers")
    return Backlog(topic, count, grants, len(buyers))
