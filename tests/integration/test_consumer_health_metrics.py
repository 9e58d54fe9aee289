"""A real consumer on real Kafka and PostgreSQL, scraped over HTTP: not ready and lagging while
its database is away, ready once it is back, with applied, dead-lettered, lag and delay metrics."""
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from apps.consumers.runner import build, serve_http
from apps.settings import database_url, kafka_bootstrap
from tests.integration.tcp_proxy import TcpProxy
from tests.integration.test_consumer_exactly_once import purchase_message, send, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(stack):
    """A fresh topic stamped like the stack's (LogAppendTime), and its dead-letter topic."""
    name = f"test.health.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    stamped = {"message.timestamp.type": "LogAppendTime"}
    for future in admin.create_topics([NewTopic(name, 1, 1, config=stamped),
                                       NewTopic(f"{name}.dlq", 1, 1)]).values():
        future.result(30)
    yield name
    admin.delete_topics([name, f"{name}.dlq"])


@pytest.fixture
def database():
    """The access database behind a proxy the test can cut."""
    url = make_url(database_url("access"))
    proxy = TcpProxy(url.host, url.port).start()
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.cut()


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(port: int) -> dict[tuple, float]:
    """(sample name, sorted labels without `consumer`) -> value."""
    status, body = get(port, "/metrics")
    assert status == 200
    return {(s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k != "consumer"))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def test_metrics_and_readiness_follow_a_real_consumer_through_a_database_outage(topic, database):
    proxy, db_url = database
    proxy.cut()  # the database is away from the start: the first batch is held
    occurred = purchase_message(f"{uuid.uuid4().hex[:8]}@example.com", "123456", ["COURSE_XYZ"])[1]
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    occurred["headers"].append(("occurredAt", an_hour_ago.isoformat().encode()))
    appended = [purchase_message(f"{uuid.uuid4().hex[:8]}@example.com", "987654", ["COURSE_ABCD"])[1]
                for _ in range(2)]
    garbage = {"key": "k", "value": b"not an event", "headers": [("id", str(uuid.uuid4()).encode())]}
    send(topic, occurred, *appended, garbage)

    runner = build("access-roles", db_url=db_url, topic=topic, group=f"test-{uuid.uuid4().hex[:8]}",
                   dead_letter_topic=f"{topic}.dlq", derive_inbox_window=False,
                   retry_backoff_s=0.05, max_transient_backoff_s=0.5, poll_timeout_s=0.2,
                   stats_every_ms=200)
    server = serve_http("access-roles", runner, port=0, db_url=db_url)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop.is_set,))
    thread.start()
    lag = ("consumer_lag_messages", (("partition", "0"), ("topic", topic)))
    try:
        wait_for(lambda: scrape(server.port).get(lag) == 4, what="a lag of the 4 held messages")
        metrics = scrape(server.port)
        assert metrics[("consumer_waiting_for_database", ())] == 1
        assert get(server.port, "/health/live")[0] == 200
        status, body = get(server.port, "/health/ready")
        assert status == 503 and '"database"' in body and '"kafka"' not in body

        proxy.start()
        wait_for(lambda: get(server.port, "/health/ready")[0] == 200, what="readiness")
        wait_for(lambda: scrape(server.port).get(lag) == 0, what="no lag once applied")
        metrics = scrape(server.port)
        applied = ("consumer_events_applied_total", (("event_type", "PurchaseCompleted"),))
        assert metrics[applied] == 3
        assert metrics[("consumer_events_dead_lettered_total", (("reason", "undecodable"),))] == 1
        assert metrics[("consumer_waiting_for_database", ())] == 0
        by_header = ("consumer_event_delay_seconds_count", (("source", "occurred_at"),))
        by_broker = ("consumer_event_delay_seconds_count", (("source", "log_append_time"),))
        assert metrics[by_header] == 1 and metrics[by_broker] == 2
        # the header said an hour ago: the delay is measured from it, not from the broker's time
        assert metrics[("consumer_event_delay_seconds_bucket", (("le", "1800.0"), ("source", "occurred_at")))] == 0
    finally:
        stop.set()
        thread.join(30)
        server.stop()
        runner.producer = None  # freed now, not when Kafka stops at the end of the session
