"""The consumer runner on real Kafka and PostgreSQL: redelivery is a no-op, poison is parked."""
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from sqlalchemy import create_engine, func, select

from apps.access_api.adapters.tables import grants
from apps.consumers.runner import access_roles_runner
from apps.settings import database_url, kafka_bootstrap
from outbox.codec import encode
from outbox.table import processed_events

pytestmark = pytest.mark.integration


@pytest.fixture
def topics(stack):
    """A fresh topic and its dead-letter topic, so tests never see each other's messages."""
    name = f"test.purchase.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    for future in admin.create_topics([NewTopic(name, 1, 1), NewTopic(f"{name}.dlq", 1, 1)]).values():
        future.result(30)
    yield name, f"{name}.dlq"
    admin.delete_topics([name, f"{name}.dlq"])


@pytest.fixture
def run_consumer(topics):
    topic, dlq = topics
    stop = threading.Event()
    runner = access_roles_runner(group=f"test-{uuid.uuid4().hex[:8]}", topic=topic,
                                 dead_letter_topic=dlq, max_attempts=2, retry_backoff_s=0.05)
    thread = threading.Thread(target=runner.run, args=(stop.is_set, 0.2))
    thread.start()
    yield runner
    stop.set()
    thread.join(30)


def purchase_message(buyer: str, product_id: str, roles: list[str]):
    event_id, purchase_id = str(uuid.uuid4()), str(uuid.uuid4())
    value = encode("PurchaseCompleted", {
        "event_id": event_id, "purchase_id": purchase_id, "buyer_email": buyer,
        "product_id": product_id, "roles": roles, "access_period": {"unit": "MONTH", "count": 1},
        "occurred_at": datetime.now(timezone.utc)})
    return purchase_id, {"key": buyer, "value": value,
                         "headers": [("id", event_id.encode()), ("eventType", b"PurchaseCompleted")]}


def send(topic: str, *messages) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap()})
    for message in messages:
        producer.produce(topic, **message)
    assert producer.flush(30) == 0


def grant_count(purchase_id: str) -> int:
    engine = create_engine(database_url("access"))
    try:
        with engine.connect() as c:
            return c.scalar(select(func.count()).select_from(grants).where(grants.c.purchase_id == purchase_id))
    finally:
        engine.dispose()


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_same_message_delivered_twice_grants_once(topics, run_consumer):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    purchase_id, message = purchase_message(buyer, "123456", ["PREMIUM_USER", "COURSE_XYZ"])
    sentinel_id, sentinel = purchase_message(buyer, "987654", ["COURSE_ABCD"])
    send(topics[0], message, message, sentinel)  # one key: one partition, in this order
    assert wait_for(lambda: grant_count(sentinel_id) == 1), "consumer did not reach the sentinel"
    assert grant_count(purchase_id) == 2  # one per role, not four
    event_id = message["headers"][0][1].decode()
    engine = create_engine(database_url("access"))
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(processed_events)
                        .where(processed_events.c.event_id == event_id)) == 1
    engine.dispose()


def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_next_is_processed(topics, run_consumer):
    topic, dlq = topics
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    poison = {"key": buyer, "value": b"not an avro event", "headers": [("id", b"poison-1")]}
    purchase_id, good = purchase_message(buyer, "123456", ["PREMIUM_USER", "COURSE_XYZ"])
    send(topic, poison, good)
    assert wait_for(lambda: grant_count(purchase_id) == 2), "the message after the poison was not processed"

    reader = Consumer({"bootstrap.servers": kafka_bootstrap(), "group.id": f"dlq-{uuid.uuid4().hex[:8]}",
                       "auto.offset.reset": "earliest"})
    reader.subscribe([dlq])
    try:
        parked = None
        deadline = time.monotonic() + 30
        while parked is None and time.monotonic() < deadline:
            message = reader.poll(0.5)
            if message is not None and not message.error():
                parked = message
    finally:
        reader.close()
    assert parked is not None and parked.value() == b"not an avro event"
    headers = dict(parked.headers())
    assert b"marker" in headers["dlq.error"] or b"Decoding" in headers["dlq.error"]
    assert headers["dlq.topic"] == topic.encode() and headers["dlq.offset"] == b"0"
