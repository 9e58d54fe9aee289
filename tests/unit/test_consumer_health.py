"""The consumer's health and metrics endpoints, on an ephemeral port, with a fake clock and a
fake database check (no Kafka, no PostgreSQL)."""
import json
import socket
import urllib.error
import urllib.request

import pytest
from confluent_kafka import TopicPartition

from outbox.health import HealthServer, LoopHealth, database_check
from outbox.metrics import ConsumerMetrics
from tests.unit.test_consumer_runner import TOPIC, completed, messages, runner_for


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def served():
    """A server over a LoopHealth and metrics the test drives; its database answers unless
    `database_error` is set."""
    clock, state = Clock(), {"database_error": None}
    health, metrics = LoopHealth(clock, stale_after_s=300), ConsumerMetrics("access-roles")
    server = HealthServer("access-roles", health, metrics.registry,
                          lambda: state["database_error"], port=0).start()
    yield server, health, clock, state
    server.stop()


def get(server, path) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as reply:
            return reply.status, reply.headers["Content-Type"], reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def get_json(server, path) -> tuple[int, dict]:
    status, content_type, body = get(server, path)
    assert content_type == "application/json"
    return status, json.loads(body)


def test_a_loop_that_polls_is_live_and_ready_once_in_its_group_with_its_database(served):
    server, health, clock, _ = served
    health.started()
    assert get_json(server, "/health/live") == (200, {"status": "live"})
    status, body = get_json(server, "/health/ready")
    assert status == 503 and body["errors"] == {"kafka": ["not a member of its consumer group yet"]}
    assert body["code"] == 503 and body["status"] == "Service Unavailable"
    health.assigned([TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)])
    assert get_json(server, "/health/ready") == (200, {"status": "ready", "partitions": 2})


def test_a_member_without_partitions_is_ready_and_a_lost_one_is_not(served):
    server, health, _, _ = served
    health.started()
    health.assigned([])  # more members than partitions: in the group, nothing to read
    assert get_json(server, "/health/ready")[0] == 200
    health.revoked([], lost=True)
    assert get_json(server, "/health/ready")[0] == 503


def test_without_its_database_it_is_live_but_not_ready(served):
    server, health, _, state = served
    health.started()
    health.assigned([TopicPartition(TOPIC, 0)])
    state["database_error"] = "connection refused"
    assert get_json(server, "/health/live")[0] == 200
    status, body = get_json(server, "/health/ready")
    assert status == 503 and body["errors"] == {"database": ["connection refused"]}
    assert body["message"] == "access-roles: not ready"


def test_a_stuck_or_stopped_loop_is_not_live(served):
    server, health, clock, _ = served
    assert get_json(server, "/health/live")[1]["errors"] == {"loop": ["the poll loop is not running"]}
    health.started()
    clock.now += 301  # no poll for longer than max.poll.interval
    status, body = get_json(server, "/health/live")
    assert status == 503 and "no poll for 301s" in body["errors"]["loop"][0]
    health.polled()
    assert get_json(server, "/health/live")[0] == 200
    health.stopped()
    assert get_json(server, "/health/live")[0] == 503


def test_metrics_are_served_in_the_prometheus_text_format(served):
    server, *_ = served
    status, content_type, body = get(server, "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    assert 'consumer_waiting_for_database{consumer="access-roles"} 0.0' in body
    assert "# TYPE consumer_event_delay_seconds histogram" in body


def test_an_unknown_path_is_404_in_the_error_shape(served):
    status, body = get_json(served[0], "/nope")
    assert status == 404 and body["message"] == "no route /nope"


def test_the_runner_reports_its_loop_and_group_to_its_health():
    runner, _ = runner_for(messages(completed("a@x.com")))
    server = HealthServer("access-roles", runner.health, runner.metrics.registry, lambda: None,
                          port=0).start()
    seen = []

    def stop_after_one_step():
        seen.append(get_json(server, "/health/ready")[0])
        return len(seen) > 1

    try:
        runner.run(stop_after_one_step)  # the fake consumer assigns its partitions on subscribe
        assert seen == [200, 200]
        assert get_json(server, "/health/live")[0] == 503  # the loop has ended
        assert 'consumer_events_applied_total{consumer="access-roles",event_type="PurchaseCompleted"} 1.0' \
            in get(server, "/metrics")[2]
    finally:
        server.stop()


def test_the_database_check_names_the_failure_of_an_unreachable_database():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    error = database_check(f"postgresql+psycopg://access:access@127.0.0.1:{port}/access")()
    assert error is not None and "connection" in error.lower()
