"""Consumer metrics with fake Kafka clients, an in-memory database and fake clocks."""
import json
import uuid
from datetime import timedelta

from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME

from apps.consumers import access_roles
from outbox.batch import Handlers
from outbox.metrics import ConsumerMetrics
from tests.unit.access_fakes import FakeAccessUnitOfWork, FakeMessage
from tests.unit.test_consumer_runner import (DOWN, T0, TOPIC, cancelled, completed, drain, messages,
                                             runner_for)

NAME = "access-roles"


def value(runner, name, **labels):
    return runner.metrics.registry.get_sample_value(name, {"consumer": NAME, **labels})


def test_applied_events_are_counted_by_type_and_duplicates_apart():
    purchase = str(uuid.uuid4())
    events = [completed("a@x.com", purchase), completed("b@x.com"),
              cancelled("a@x.com", purchase, T0 + timedelta(days=1))]
    runner, _ = runner_for(messages(*events) + messages(*events[:2], start=3), batch_size=3)
    drain(runner)
    assert value(runner, "consumer_events_applied_total", event_type="PurchaseCompleted") == 2
    assert value(runner, "consumer_events_applied_total", event_type="PurchaseCancelled") == 1
    assert value(runner, "consumer_events_duplicate_total") == 2
    assert value(runner, "consumer_batch_size_count") == 2
    assert value(runner, "consumer_batch_size_sum") == 5


def test_dead_letters_are_counted_by_reason():
    def fails_for_poison(events, uow):
        if any(e.buyer_email == "poison@x.com" for e in events):
            raise ValueError("bad business data")
        access_roles.handle_purchases_completed(events, uow)

    garbage = FakeMessage(TOPIC, 0, 0, b"k", b"not avro", [("id", str(uuid.uuid4()).encode())])
    handlers = Handlers(access_roles.HANDLERS, {"PurchaseCompleted": fails_for_poison})
    runner, _ = runner_for([garbage] + messages(completed("poison@x.com"), completed("ok@x.com"),
                                                start=1), handlers=handlers)
    drain(runner)
    assert value(runner, "consumer_events_dead_lettered_total", reason="undecodable") == 1
    assert value(runner, "consumer_events_dead_lettered_total", reason="retries_exhausted") == 1
    assert value(runner, "consumer_events_applied_total", event_type="PurchaseCompleted") == 1


def test_the_delay_runs_from_the_occurred_at_header_else_the_broker_time_to_the_commit():
    committed = T0.timestamp()
    with_header, appended, untimed = [completed(f"{n}@x.com") for n in ("h", "k", "u")]
    batch = [
        FakeMessage(TOPIC, 0, 0, b"k", with_header[1],
                    [("id", with_header[0].encode()), ("occurredAt", b"2026-03-01T09:30:00.000000Z")],
                    timestamp=(TIMESTAMP_LOG_APPEND_TIME, int((committed + 0.05) * 1000))),
        FakeMessage(TOPIC, 0, 1, b"k", appended[1], [("id", appended[0].encode())],
                    timestamp=(TIMESTAMP_LOG_APPEND_TIME, int((committed + 0.25) * 1000))),
        FakeMessage(TOPIC, 0, 2, b"k", untimed[1], [("id", untimed[0].encode())]),
    ]
    runner, uow = runner_for(batch)
    runner.metrics = ConsumerMetrics(NAME, wall_clock=lambda: committed + 0.3)
    drain(runner)
    assert uow.commits == 1
    by_header = dict(source="occurred_at")
    assert value(runner, "consumer_event_delay_seconds_count", **by_header) == 1
    assert abs(value(runner, "consumer_event_delay_seconds_sum", **by_header) - 0.3) < 1e-6
    assert value(runner, "consumer_event_delay_seconds_bucket", le="0.25", **by_header) == 0
    assert value(runner, "consumer_event_delay_seconds_bucket", le="0.5", **by_header) == 1
    by_broker = dict(source="log_append_time")
    assert value(runner, "consumer_event_delay_seconds_count", **by_broker) == 1
    assert abs(value(runner, "consumer_event_delay_seconds_sum", **by_broker) - 0.05) < 1e-3


def test_the_batch_duration_runs_from_taking_the_batch_to_its_commit():
    def slow(events, uow):
        runner.consumer.now += 0.4  # the fake clock moves while the batch is applied
        access_roles.handle_purchases_completed(events, uow)

    runner, _ = runner_for(messages(completed("a@x.com")),
                           handlers=Handlers(access_roles.HANDLERS, {"PurchaseCompleted": slow}))
    drain(runner)
    assert value(runner, "consumer_batch_duration_seconds_sum") == 0.4


def test_waiting_for_the_database_is_one_during_an_outage_only():
    uow = FakeAccessUnitOfWork(fail_with=DOWN, failures=2)
    runner, _ = runner_for(messages(completed("a@x.com")), uow=uow)
    runner.consumer.subscribe(runner.config.topics)
    runner.step()
    assert value(runner, "consumer_waiting_for_database") == 1
    drain(runner)
    assert value(runner, "consumer_waiting_for_database") == 0


def stats(**partitions) -> str:
    """librdkafka statistics JSON, with only the fields the lag is computed from."""
    unknown = {"desired": False, "hi_offset": -1001, "lo_offset": -1001, "stored_offset": -1001,
               "committed_offset": -1001}
    return json.dumps({"topics": {TOPIC: {"partitions": {
        "-1": unknown, **{p.lstrip("p"): {**unknown, **fields} for p, fields in partitions.items()}}}}})


def test_the_lag_is_the_high_watermark_minus_the_stored_else_committed_else_first_offset():
    metrics = ConsumerMetrics(NAME)
    metrics.kafka_stats(stats(
        p0={"desired": True, "hi_offset": 120, "lo_offset": 0, "stored_offset": 100,
            "committed_offset": 90},
        p1={"desired": True, "hi_offset": 50, "lo_offset": 0, "committed_offset": 45},
        p2={"desired": True, "hi_offset": 30, "lo_offset": 10},  # a new group: from the start
        p3={"desired": False, "hi_offset": 70, "lo_offset": 0}))  # not ours
    lag = {p: metrics.registry.get_sample_value(
        "consumer_lag_messages", {"consumer": NAME, "topic": TOPIC, "partition": p})
        for p in "0123"}
    assert lag == {"0": 20, "1": 5, "2": 20, "3": None}
    metrics.kafka_stats(stats(p0={"desired": True, "hi_offset": 130, "lo_offset": 0,
                                  "stored_offset": 130}))  # 1 and 2 were revoked
    assert metrics.registry.get_sample_value(
        "consumer_lag_messages", {"consumer": NAME, "topic": TOPIC, "partition": "0"}) == 0
    assert metrics.registry.get_sample_value(
        "consumer_lag_messages", {"consumer": NAME, "topic": TOPIC, "partition": "1"}) is None
