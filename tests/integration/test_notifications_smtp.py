"""The notifications consumer on real Kafka, PostgreSQL and SMTP: a redelivered event sends one
e-mail; the relay away holds the batch (nothing dead-lettered) and the e-mail goes out once when
it is back; a 5xx is recorded as rejected, listed, and not retried; the access e-mail waits for
the roles of every purchase, arriving before the payment.

The consumer reads a fresh topic of the test's own (every event type on it) and sends to an
SMTP server of the test's own, so neither the stack's consumer nor its Maildir is involved.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import create_engine, select

from apps.consumers.runner import build
from apps.notifications import cli
from apps.notifications.adapters.tables import sent_emails
from apps.notifications.settings import from_env
from apps.settings import database_url, kafka_bootstrap
from outbox.codec import encode
from tests.integration.order_topics import create_topics, delete_topics
from tests.integration.polling import wait_for
from tests.integration.runners import RunnerThreads
from tests.integration.smtp_servers import RefusingServer, SmtpProcess
from tests.integration.test_consumer_exactly_once import send

pytestmark = pytest.mark.integration
NOW = datetime.now(timezone.utc)


@pytest.fixture(scope="module")
def notifications_db(stack):
    engine = create_engine(database_url("notifications"))
    yield engine
    engine.dispose()


@pytest.fixture
def smtp(tmp_path):
    server = SmtpProcess(tmp_path / "mail").start()
    yield server
    server.stop()


@pytest.fixture
def start_consumer(stack, monkeypatch):
    """`start_consumer(smtp_url)`: the notifications runner in a thread on a fresh topic (and
    dead-letter topic), sending to `smtp_url`; stopped and the topics deleted afterwards."""
    topic = f"test.notifications.{uuid.uuid4().hex[:8]}"
    create_topics(topic, f"{topic}.dlq")
    threads = RunnerThreads()

    def start(smtp_url: str):
        monkeypatch.setenv("SMTP_URL", smtp_url)
        monkeypatch.setenv("SMTP_TIMEOUT", "2")
        runner = threads.start(build(
            "notifications", topic=topic, dead_letter_topic=f"{topic}.dlq",
            group=f"test-notifications-{uuid.uuid4().hex[:8]}", derive_inbox_window=False,
            poll_timeout_s=0.2, retry_backoff_s=0.05, max_transient_backoff_s=0.5))
        return topic, runner

    yield start
    threads.stop_all()
    delete_topics(topic, f"{topic}.dlq")


def message(event_type: str, record: dict, key: str, event_id: str | None = None) -> dict:
    event_id = event_id or str(uuid.uuid4())
    return {"key": key, "value": encode(event_type, {"event_id": event_id, **record}),
            "headers": [("id", event_id.encode()), ("eventType", event_type.encode())]}


def payment_failed(order_id: str, email: str, event_id: str | None = None) -> dict:
    return message("OrderPaymentFailed", {
        "order_id": order_id, "customer_email": email, "customer_name": "Ana Souza",
        "total": "89.80", "currency": "BRL", "failure_code": "card_declined",
        "failure_message": "The card was declined.", "occurred_at": NOW}, email, event_id)


def message_id(cause: str, key: str) -> str:
    return f"<{cause}.{key}@{from_env().domain}>"


def logged(engine, mid: str):
    with engine.connect() as connection:
        return connection.execute(select(sent_emails).where(sent_emails.c.message_id == mid)).first()


def dead_lettered(topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap(), "group.id": "test-peek"})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
        return high - low
    finally:
        consumer.close()


def new_email() -> str:
    return f"mail-{uuid.uuid4().hex[:10]}@example.com"


def test_a_redelivered_event_sends_one_email(smtp, start_consumer, notifications_db):
    topic, _ = start_consumer(smtp.url)
    order, email = str(uuid.uuid4()), new_email()
    failure = payment_failed(order, email)
    again = payment_failed(order, email)  # the same cause under another event id
    sentinel = str(uuid.uuid4())
    send(topic, failure, failure, again, payment_failed(sentinel, email))
    wait_for(lambda: smtp.with_id(message_id("payment-failed", sentinel)), 30, "the sentinel")
    [mail] = smtp.with_id(message_id("payment-failed", order))
    assert mail.recipients == (email,) and "The card was declined." in mail.part("plain")
    row = logged(notifications_db, message_id("payment-failed", order))
    assert row.status == "sent" and row.smtp_reply.startswith("250 OK: kept as ")


def test_smtp_down_then_up_holds_the_event_and_sends_it_once(smtp, start_consumer,
                                                             notifications_db):
    topic, runner = start_consumer(smtp.url)
    smtp.stop()
    order, email = str(uuid.uuid4()), new_email()
    send(topic, payment_failed(order, email))
    wait_for(lambda: runner.outage.failures >= 3, 30, "retries while the relay is away")
    assert runner.held is not None and logged(notifications_db,
                                              message_id("payment-failed", order)) is None
    smtp.start()
    wait_for(lambda: smtp.with_id(message_id("payment-failed", order)), 30, "the e-mail")
    wait_for(lambda: runner.held is None, 30, "the partitions resumed")
    assert len(smtp.with_id(message_id("payment-failed", order))) == 1
    assert logged(notifications_db, message_id("payment-failed", order)).status == "sent"
    assert runner.counts["dead_lettered"] == 0 and dead_lettered(f"{topic}.dlq") == 0


def test_a_permanent_rejection_is_recorded_listed_and_not_retried(start_consumer,
                                                                   notifications_db, capsys):
    server = RefusingServer().start()
    try:
        topic, runner = start_consumer(server.url)
        refused, order, sentinel = f"reject-{new_email()}", str(uuid.uuid4()), str(uuid.uuid4())
        send(topic, payment_failed(order, refused), payment_failed(sentinel, new_email()))
        wait_for(lambda: logged(notifications_db, message_id("payment-failed", sentinel)), 30,
                 "the e-mail after the refused one")
        row = logged(notifications_db, message_id("payment-failed", order))
        assert (row.status, row.smtp_reply) == ("rejected", "550 5.1.1 mailbox unavailable")
        assert server.handler.rcpt_attempts[refused] == 1
        assert runner.counts["dead_lettered"] == 0
    finally:
        server.stop()
    assert cli.main(["sent", "--status", "rejected", "--last", "1000"]) == 0
    listed = capsys.readouterr().out
    assert message_id("payment-failed", order) in listed and "550 5.1.1" in listed


def role(event_type: str, email: str, purchase_id: str, role_name: str, sequence: int) -> dict:
    extra = {"previous_until": NOW} if event_type == "RoleExtended" else {}
    return message(event_type, {
        "user_id": 1, "email": email, "role": role_name, "sequence": sequence,
        "reason": "PURCHASE", "source": {"type": "PURCHASE", "id": purchase_id},
        "occurred_at": NOW, "until": NOW + timedelta(days=30), **extra}, email)


def test_the_access_email_waits_for_every_purchase_in_either_order(smtp, start_consumer,
                                                                    notifications_db):
    topic, _ = start_consumer(smtp.url)
    order, email = str(uuid.uuid4()), new_email()
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    item = {"quantity": 1, "unit_price": "39.90", "access_duration": "P1M"}
    placed = message("OrderPlaced", {
        "order_id": order, "customer_email": email, "customer_name": "Ana Souza",
        "total": "89.80", "currency": "BRL", "card_brand": "visa", "card_last4": "4242",
        "occurred_at": NOW, "items": [
            {**item, "product_id": "123456", "product_name": "Course XYZ, premium",
             "roles": ["PREMIUM_USER", "COURSE_XYZ"]},
            {**item, "product_id": "987654", "product_name": "Course ABCD, premium",
             "roles": ["PREMIUM_USER", "COURSE_ABCD"]}]}, email)
    paid = message("OrderPaid", {
        "order_id": order, "customer_email": email, "customer_name": "Ana Souza",
        "total": "89.80", "currency": "BRL", "charge_id": "ch_1",
        "purchase_ids": [first, second], "occurred_at": NOW}, email)
    # The first purchase's roles before the payment, the second's after it; then a late role
    # and a redelivery of the payment.
    send(topic, placed, role("RoleGranted", email, first, "COURSE_XYZ", 1), paid,
         role("RoleExtended", email, second, "PREMIUM_USER", 2))
    wait_for(lambda: smtp.with_id(message_id("access", order)), 30, "the access e-mail")
    sentinel = str(uuid.uuid4())
    send(topic, role("RoleGranted", email, second, "COURSE_ABCD", 3), paid,
         payment_failed(sentinel, email))
    wait_for(lambda: smtp.with_id(message_id("payment-failed", sentinel)), 30, "the sentinel")
    [mail] = smtp.with_id(message_id("access", order))
    for part in (mail.part("plain"), mail.part("html")):
        assert "XYZ" in part and "ABCD" in part and from_env().platform_url in part
    assert logged(notifications_db, message_id("access", order)).status == "sent"
