"""The billing consumer on real Kafka and PostgreSQL: payment events change subscriptions exactly
once, and the subscriptions' events leave through the outbox in the same transaction.

The consumer reads a fresh topic of the test's own, and the payment events are stored without
their outbox event, so the stack's own billing consumer never sees them.
"""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, insert, select

from apps.billing.adapters.tables import payment_events, subscriptions
from apps.billing.domain.cycles import add_months
from apps.billing.service import subscriptions as service
from apps.billing.service.uow import BillingUnitOfWork
from outbox.codec import encode
from outbox.table import processed_events
from tests.integration.polling import wait_for
from tests.integration.runners import consumer_on_own_topic
from tests.integration.test_consumer_exactly_once import send

pytestmark = pytest.mark.integration


@pytest.fixture
def consumer(stack):
    """The billing runner on a fresh topic of the test's own: (topic, group)."""
    with consumer_on_own_topic("billing", "payment") as topic_and_group:
        yield topic_and_group


def new_subscription(sales_db):
    customer = f"{uuid.uuid4().hex[:8]}@example.com"
    return service.subscribe(BillingUnitOfWork(sales_db.connect), "plan_12345", customer)


def stored_payment(sales_db, subscription_id: str, event_type: str) -> int:
    """A webhook as the API stores it, less its outbox event: the test sends that itself."""
    data = {"subscription_id": subscription_id, "event": event_type, "amount": "29.99",
            "date": "2026-01-01"}
    with sales_db.begin() as c:
        return c.scalar(insert(payment_events).values(
            digest=uuid.uuid4().hex, type=event_type, data=data, processed=False)
            .returning(payment_events.c.id))


def message(payment_event_id: int, subscription_id: str, event_type: str,
            event_id: str | None = None) -> dict:
    event_id = event_id or str(uuid.uuid4())
    value = encode("PaymentEventReceived", {
        "event_id": event_id, "payment_event_id": payment_event_id, "provider_event_id": None,
        "subscription_id": subscription_id, "type": event_type, "amount": "29.99",
        "date": datetime(2026, 1, 1).date(), "occurred_at": datetime.now(timezone.utc)})
    return {"key": subscription_id, "value": value,
            "headers": [("id", event_id.encode()), ("eventType", b"PaymentEventReceived")]}


def pay(sales_db, topic: str, subscription_id: str, *event_types: str) -> list[int]:
    """Stores a payment event of each type and sends its message, in order; their ids."""
    ids = [stored_payment(sales_db, subscription_id, t) for t in event_types]
    send(topic, *(message(i, subscription_id, t) for i, t in zip(ids, event_types)))
    return ids


def processed(sales_db, payment_event_id: int) -> bool:
    with sales_db.connect() as c:
        return c.scalar(select(payment_events.c.processed)
                        .where(payment_events.c.id == payment_event_id))


def row_of(sales_db, subscription_id: str):
    with sales_db.connect() as c:
        return c.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).one()


def inbox_count(sales_db, group: str, event_id: str) -> int:
    with sales_db.connect() as c:
        return c.scalar(select(func.count()).select_from(processed_events).where(
            processed_events.c.consumer == group, processed_events.c.event_id == event_id))


def subscription_events(outbox_wal, customer_email: str) -> list[str]:
    """The types of the customer's subscription events committed so far, in order."""
    return [line.split(" type[text]:'")[1].split("'")[0] for line in outbox_wal()
            if f"aggregateid[text]:'{customer_email}'" in line and "outbox: INSERT" in line]


def test_a_success_activates_a_pending_subscription_once_however_often_delivered(
        consumer, sales_db, outbox_wal):
    topic, group = consumer
    subscription = new_subscription(sales_db)
    success = stored_payment(sales_db, subscription.id, "payment_success")
    delivered = message(success, subscription.id, "payment_success")
    # Redelivered as is (the inbox), and again under another event id (the processed flag).
    copy = message(success, subscription.id, "payment_success")
    other = new_subscription(sales_db)
    sentinel = stored_payment(sales_db, other.id, "payment_failed")
    send(topic, delivered, delivered, copy, message(sentinel, other.id, "payment_failed"))
    wait_for(lambda: processed(sales_db, sentinel), what="the sentinel payment applied")
    row = row_of(sales_db, subscription.id)
    assert (row.status, row.periods_paid) == ("active", 1)
    assert row.next_billing_date == add_months(subscription.anchor, 1)
    assert processed(sales_db, success) is True
    assert inbox_count(sales_db, group, delivered["headers"][0][1].decode()) == 1
    assert subscription_events(outbox_wal, subscription.customer_email) == \
        ["SubscriptionCreated", "SubscriptionActivated"]


def test_three_failures_make_an_active_subscription_past_due_then_suspended(
        consumer, sales_db, outbox_wal):
    topic, _ = consumer
    subscription = new_subscription(sales_db)
    _, first_failure = pay(sales_db, topic, subscription.id, "payment_success", "payment_failed")
    wait_for(lambda: processed(sales_db, first_failure), what="the first failure applied")
    row = row_of(sales_db, subscription.id)
    assert (row.status, row.failures, row.periods_paid) == ("past_due", 1, 1)
    *_, third_failure = pay(sales_db, topic, subscription.id, "payment_failed", "payment_failed")
    wait_for(lambda: processed(sales_db, third_failure), what="the third failure applied")
    row = row_of(sales_db, subscription.id)
    assert (row.status, row.failures) == ("suspended", 3)
    assert subscription_events(outbox_wal, subscription.customer_email) == \
        ["SubscriptionCreated", "SubscriptionActivated", "SubscriptionPastDue",
         "SubscriptionSuspended"]
