"""The consumer runner on real Kafka and PostgreSQL: redelivery is a no-op, poison is parked
and re-driven, a database outage pauses the consumer without losing its group."""
import threading
import time
import uuid
from datetime import datetime, timezone

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from apps.access_api.adapters.tables import grants
from apps.consumers import access_roles
from apps.consumers.runner import build
from apps.settings import database_url, kafka_bootstrap
from outbox import deadletters
from outbox.batch import Handlers
from outbox.codec import encode
from outbox.table import processed_events
from tests.integration.polling import wait_for
from tests.integration.runners import RunnerThreads
from tests.integration.tcp_proxy import TcpProxy

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
def start_consumer(topics):
    """Starts the access-roles runner on the test topics in a thread; stops it afterwards."""
    threads = RunnerThreads()

    def start(group=None, **overrides):
        topic, dlq = topics
        return threads.start(build(
            "access-roles", topic=topic, dead_letter_topic=dlq,
            group=group or f"test-{uuid.uuid4().hex[:8]}", derive_inbox_window=False,
            **{"max_attempts": 2, "retry_backoff_s": 0.05, "poll_timeout_s": 0.2, **overrides}))

    yield start
    threads.stop_all()


def purchase_message(buyer: str, product_id: str, roles: list[str]):
    event_id, purchase_id = str(uuid.uuid4()), str(uuid.uuid4())
    value = encode("PurchaseCompleted", {
        "event_id": event_id, "purchase_id": purchase_id, "buyer_email": buyer,
        "product_id": product_id, "roles": roles, "access_period": {"unit": "MONTH", "count": 1},
        "occurred_at": datetime.now(timezone.utc), "product_name": None})
    return purchase_id, {"key": buyer, "value": value,
                         "headers": [("id", event_id.encode()), ("eventType", b"PurchaseCompleted")]}


def send(topic: str, *messages) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap()})
    for message in messages:
        producer.produce(topic, **message)
    assert producer.flush(30) == 0


def count(query) -> int:
    engine = create_engine(database_url("access"))
    try:
        with engine.connect() as c:
            return c.scalar(query)
    finally:
        engine.dispose()


def grant_count(purchase_id: str) -> int:
    return count(select(func.count()).select_from(grants).where(grants.c.source_id == purchase_id))


def inbox_count(event_id: str) -> int:
    return count(select(func.count()).select_from(processed_events)
                 .where(processed_events.c.event_id == event_id))


def test_the_same_message_delivered_twice_grants_once(topics, start_consumer):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    purchase_id, message = purchase_message(buyer, "123456", ["PREMIUM_USER", "COURSE_XYZ"])
    sentinel_id, sentinel = purchase_message(buyer, "987654", ["COURSE_ABCD"])
    send(topics[0], message, message, sentinel)  # one key: one partition, in this order
    start_consumer()
    wait_for(lambda: grant_count(sentinel_id) == 1, what="the sentinel's grant")
    assert grant_count(purchase_id) == 2  # one per role, not four
    assert inbox_count(message["headers"][0][1].decode()) == 1


def read_dead_letters(dlq: str, n: int) -> list:
    letters = []
    wait_for(lambda: len(letters.__setitem__(slice(None), deadletters.read(kafka_bootstrap(), dlq))
                         or letters) >= n, what=f"{n} dead-lettered message(s) in {dlq}")
    return letters


def test_poison_in_a_batch_is_parked_the_rest_commits_and_a_redrive_applies_it_once(topics, start_consumer, capsys):
    topic, dlq = topics
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    first_id, first = purchase_message(buyer, "123456", ["PREMIUM_USER", "COURSE_XYZ"])
    poison_id, poison = purchase_message(f"poison-{buyer}", "987654", ["COURSE_ABCD"])
    last_id, last = purchase_message(buyer, "987654", ["COURSE_ABCD"])
    garbage = {"key": buyer, "value": b"not an avro event", "headers": [("id", str(uuid.uuid4()).encode())]}
    send(topic, first, poison, garbage, last)  # all there before the consumer starts: one batch

    fixed = threading.Event()  # the "cause": a handler that fails for one buyer until fixed

    def completed(events, uow):
        if not fixed.is_set() and any(e.buyer_email.startswith("poison-") for e in events):
            raise ValueError("cannot grant to this buyer yet")
        access_roles.handle_purchases_completed(events, uow)

    runner = start_consumer()
    runner.applier.handlers = Handlers(access_roles.HANDLERS, {"PurchaseCompleted": completed})
    wait_for(lambda: grant_count(last_id) == 1, what="the message after the poison")
    assert grant_count(first_id) == 2 and grant_count(poison_id) == 0
    poison_event = poison["headers"][0][1].decode()
    assert inbox_count(poison_event) == 0  # its savepoint took its inbox row with it

    letters = read_dead_letters(dlq, 2)
    by_origin = {d.header("dlq.offset"): d for d in letters}
    assert "ValueError: cannot grant" in by_origin["1"].header("dlq.error")
    assert "C3 01" in by_origin["2"].header("dlq.error")
    assert by_origin["1"].header("dlq.topic") == topic and by_origin["1"].header("id") == poison_event

    assert deadletters.main(["--bootstrap", kafka_bootstrap(), "list", "--topic", dlq]) == 0
    listed = capsys.readouterr().out
    assert f"from {topic}[0]@1  event {poison_event}" in listed and "cannot grant" in listed

    fixed.set()
    deadletters.main(["--bootstrap", kafka_bootstrap(), "redrive", "--topic", dlq,
                      by_origin["1"].address])
    wait_for(lambda: grant_count(poison_id) == 1, what="the re-driven event's grant")
    sentinel_id, sentinel = purchase_message(buyer, "123456", ["COURSE_XYZ"])
    deadletters.redrive(kafka_bootstrap(), [by_origin["1"]])  # a second re-drive: a no-op
    send(topic, sentinel)
    wait_for(lambda: grant_count(sentinel_id) == 1, what="a sentinel after the second re-drive")
    assert grant_count(poison_id) == 1 and inbox_count(poison_event) == 1


def test_a_database_outage_pauses_the_consumer_which_stays_in_its_group(topics, start_consumer):
    """Cut the consumer's database for longer than max.poll.interval.ms: it keeps polling
    (partitions paused), stays a member of its group, and applies everything once it is back."""
    topic, _ = topics
    url = make_url(database_url("access"))
    proxy = TcpProxy(url.host, url.port).start()
    group = f"test-outage-{uuid.uuid4().hex[:8]}"
    start_consumer(group=group, db_url=url.set(port=proxy.port).render_as_string(hide_password=False),
                   max_transient_backoff_s=1.0,
                   extra={"session.timeout.ms": 6000, "max.poll.interval.ms": 6000})
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    before_id, before = purchase_message(buyer, "123456", ["COURSE_XYZ"])
    send(topic, before)
    wait_for(lambda: grant_count(before_id) == 1, what="the first grant")

    proxy.cut()
    during = [purchase_message(buyer, "987654", ["COURSE_ABCD"]) for _ in range(5)]
    send(topic, *(m for _, m in during))
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    outage_ends = time.monotonic() + 9  # well past max.poll.interval.ms = 6 s
    while time.monotonic() < outage_ends:
        [description] = [f.result(10) for f in admin.describe_consumer_groups([group]).values()]
        assert len(description.members) == 1, f"the consumer left its group: {description.state}"
        time.sleep(1)
    assert all(grant_count(pid) == 0 for pid, _ in during)

    proxy.start()
    wait_for(lambda: all(grant_count(pid) == 1 for pid, _ in during), what="the held events")
    [description] = [f.result(10) for f in admin.describe_consumer_groups([group]).values()]
    assert len(description.members) == 1
    proxy.cut()
