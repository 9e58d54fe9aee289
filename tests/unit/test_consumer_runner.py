"""The batched consumer loop with fake Kafka clients and an in-memory database (no servers)."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka import KafkaError
from sqlalchemy.exc import OperationalError

from apps.consumers import access_roles
from outbox.batch import Handlers
from outbox.codec import encode
from outbox.runner import EventRunner, FatalKafkaError, RunnerConfig
from tests.unit.access_fakes import FakeAccessUnitOfWork, FakeConsumer, FakeMessage, FakeProducer

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
TOPIC = "sales.purchase"
DOWN = OperationalError("SELECT 1", {}, Exception("connection refused"))


def completed(buyer, purchase_id=None, product="123456", roles=("PREMIUM_USER", "COURSE_XYZ"), at=T0):
    event_id = str(uuid.uuid4())
    return event_id, encode("PurchaseCompleted", {
        "event_id": event_id, "purchase_id": purchase_id or str(uuid.uuid4()),
        "buyer_email": buyer, "product_id": product, "roles": list(roles),
        "access_period": {"unit": "MONTH", "count": 1}, "occurred_at": at,
        "product_name": None})


def cancelled(buyer, purchase_id, at):
    event_id = str(uuid.uuid4())
    return event_id, encode("PurchaseCancelled", {
        "event_id": event_id, "purchase_id": purchase_id, "buyer_email": buyer,
        "product_id": "123456", "occurred_at": at})


def messages(*events, partition=0, start=0, topic=TOPIC):
    return [FakeMessage(topic, partition, start + i, b"key", value,
                        [("id", event_id.encode()), ("eventType", b"x")])
            for i, (event_id, value) in enumerate(events)]


def runner_for(msgs, uow=None, handlers=None, **config):
    uow = uow or FakeAccessUnitOfWork()
    settings = dict(name="access-roles", bootstrap_servers="unused", topics=[TOPIC],
                    dead_letter_topic=f"{TOPIC}.dlq", batch_size=500, max_attempts=3,
                    retry_backoff_s=0.0, max_transient_backoff_s=0.0)
    settings.update(config)
    consumer = FakeConsumer(msgs)
    runner = EventRunner(RunnerConfig(**settings),
                         handlers or Handlers(access_roles.HANDLERS, access_roles.BATCH_HANDLERS),
                         uow, access_roles.EVENT_TYPES, consumer=consumer,
                         producer=FakeProducer(), clock=lambda: consumer.now)
    return runner, uow


def drain(runner, max_steps=100):
    runner.consumer.subscribe(runner.config.topics)
    for _ in range(max_steps):
        runner.step()
        if runner.consumer.drained() and runner.held is None:
            return
    pytest.fail("the runner did not drain its messages")


def test_a_batch_is_applied_in_one_transaction_and_its_offsets_stored_after():
    buyers = [f"b{i}@example.com" for i in range(50)]
    runner, uow = runner_for(messages(*(completed(b) for b in buyers)))
    drain(runner)
    assert uow.commits == 1
    assert all(len(uow.grants_of(b)) == 2 for b in buyers)
    assert runner.consumer.stored == {(TOPIC, 0): 50}  # the next offset to read
    assert runner.counts["applied"] == 50


def test_batch_size_one_is_one_transaction_per_event():
    runner, uow = runner_for(messages(*(completed(f"b{i}@x.com") for i in range(5))), batch_size=1)
    drain(runner)
    assert uow.commits == 5


def test_a_redelivered_batch_is_a_no_op():
    events = [completed(f"b{i}@example.com") for i in range(10)]
    runner, uow = runner_for(messages(*events) + messages(*events, start=10))
    drain(runner)
    assert sum(len(uow.grants_of(f"b{i}@example.com")) for i in range(10)) == 20
    assert runner.counts == {"applied": 10, "duplicates": 10, "dead_lettered": 0}


def test_a_crash_before_the_commit_stores_no_offset_and_the_redelivery_applies_once():
    events = messages(*(completed(f"b{i}@example.com") for i in range(3)))
    uow = FakeAccessUnitOfWork()
    crashing, _ = runner_for(events, uow=uow)
    uow.commit = lambda: (_ for _ in ()).throw(SystemExit("killed"))  # dies at the commit
    with pytest.raises(SystemExit):
        drain(crashing)
    assert crashing.consumer.stored == {} and uow.committed.grants == []
    del uow.commit  # the restarted process commits normally
    again, _ = runner_for(events, uow=uow)
    drain(again)
    assert len(uow.committed.grants) == 6


def test_a_poison_event_in_the_middle_of_a_batch_is_dead_lettered_and_the_rest_commits():
    attempts = []

    def completed_unless_poison(events, uow):
        for event in events:
            if event.buyer_email == "poison@example.com":
                attempts.append(event.purchase_id)
                raise ValueError("bad business data")
        access_roles.handle_purchases_completed(events, uow)

    batch = messages(completed("a@example.com"), completed("poison@example.com"),
                     completed("z@example.com"))
    handlers = Handlers(access_roles.HANDLERS, {"PurchaseCompleted": completed_unless_poison})
    runner, uow = runner_for(batch, handlers=handlers)
    drain(runner)
    assert len(uow.grants_of("a@example.com")) == 2 and len(uow.grants_of("z@example.com")) == 2
    assert uow.grants_of("poison@example.com") == []
    # once in the failed batch, then max_attempts times in its own savepoint
    assert len(attempts) == 1 + 3
    [parked] = runner.producer.produced
    assert parked["topic"] == f"{TOPIC}.dlq" and parked["value"] == batch[1].value()
    assert b"ValueError: bad business data" in parked["headers"]["dlq.error"]
    assert parked["headers"]["dlq.offset"] == b"1" and parked["headers"]["dlq.topic"] == TOPIC.encode()
    assert runner.consumer.stored == {(TOPIC, 0): 3}  # the partition moves on
    # the poison event's inbox row went with its savepoint: a re-drive can still apply it
    assert ("access-roles", batch[1].headers()[0][1].decode()) not in uow.committed.inbox


@pytest.mark.parametrize("headers, value, error", [
    ([("eventType", b"PurchaseCompleted")], None, "missing `id` header"),
    ([("id", b"not-a-uuid")], None, "not a UUID"),
    ([("id", str(uuid.uuid4()).encode())], b"not avro", "C3 01"),
])
def test_messages_that_are_not_our_events_are_dead_lettered_without_retries(headers, value, error):
    good = completed("a@example.com")
    bad = FakeMessage(TOPIC, 0, 0, b"k", value or good[1], headers)
    runner, uow = runner_for([bad] + messages(completed("b@example.com"), start=1))
    drain(runner)
    [parked] = runner.producer.produced
    assert error in parked["headers"]["dlq.error"].decode()
    assert len(uow.grants_of("b@example.com")) == 2


def test_one_buyers_events_keep_their_order_within_a_batch():
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    batch = messages(completed("k@example.com", first, at=T0),
                     completed("k@example.com", second, at=T0 + timedelta(hours=1)),
                     cancelled("k@example.com", first, T0 + timedelta(days=1)))
    runner, uow = runner_for(batch)
    drain(runner)
    grants = {(g.purchase_id, g.role): g for g in uow.grants_of("k@example.com")}
    ended = grants[(first, "COURSE_XYZ")]
    moved_up = grants[(second, "COURSE_XYZ")]
    assert ended.ended_at == T0 + timedelta(days=1)
    # the second month was queued behind the first, and moved up when it was cancelled
    assert moved_up.starts_at == T0 + timedelta(days=1)


def test_a_database_outage_pauses_the_partitions_keeps_polling_and_resumes():
    uow = FakeAccessUnitOfWork(fail_with=DOWN, failures=4)
    runner, _ = runner_for(messages(*(completed(f"b{i}@x.com") for i in range(3))), uow=uow,
                           retry_backoff_s=0.5, max_transient_backoff_s=2, poll_timeout_s=0.5)
    runner.consumer.subscribe(runner.config.topics)
    runner.step()  # takes the batch; the database is down
    assert runner.held is not None and runner.consumer.paused == {(TOPIC, 0)}
    polls = runner.consumer.polls
    drain(runner)
    assert runner.consumer.polls > polls + 3  # kept polling: still a member of its group
    assert runner.consumer.paused == set() and runner.producer.produced == []
    assert len(uow.committed.grants) == 6 and runner.consumer.stored == {(TOPIC, 0): 3}


def test_held_messages_of_a_revoked_partition_are_let_go():
    from confluent_kafka import TopicPartition
    uow = FakeAccessUnitOfWork(fail_with=DOWN, failures=1)
    batch = messages(completed("a@x.com"), partition=0) + messages(completed("b@x.com"), partition=1)
    runner, _ = runner_for(batch, uow=uow, retry_backoff_s=60)
    runner.consumer.subscribe(runner.config.topics)
    runner.step()
    runner.on_revoke(runner.consumer, [TopicPartition(TOPIC, 1)])
    assert [m.partition() for m in runner.held] == [0]


def test_a_fatal_kafka_error_stops_the_runner_and_closes_the_consumer():
    class Fatal:
        def fatal(self): return True
        def code(self): return KafkaError._FATAL
        def __str__(self): return "producer fenced"

    runner, _ = runner_for([])
    runner.consumer.errors.append(FakeMessage(TOPIC, 0, 0, None, None, [], error=Fatal()))
    with pytest.raises(FatalKafkaError, match="producer fenced"):
        runner.run(lambda: False)
    assert runner.consumer.closed


def test_the_inbox_is_purged_with_the_window_derived_from_the_topics():
    window = timedelta(days=9)
    runner, uow = runner_for(messages(completed("a@x.com")), inbox_window=window)
    drain(runner)
    assert uow.inbox.purged_with == [("access-roles", window)]


def test_progress_is_reported_once_a_minute_when_anything_happened(caplog):
    runner, _ = runner_for(messages(*(completed(f"b{i}@x.com") for i in range(4))))
    drain(runner)
    runner.consumer.now += 61
    with caplog.at_level("INFO", logger="outbox.runner"):
        runner.step()
    assert re.search(r"last 6[12]s: 4 applied", caplog.text)
