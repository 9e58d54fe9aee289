"""The access-subscriptions consumer on real Kafka and the real access database: a plan's roles
while the subscription is active, ended on suspension, and a redelivered event applied once."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka import Producer
from sqlalchemy import create_engine, func, select

from apps.access_api.adapters.tables import grants, user_roles, users
from apps.access_api.service.subscriptions import paid_end
from apps.consumers.runner import build
from apps.settings import database_url, kafka_bootstrap
from outbox.codec import encode
from outbox.table import processed_events
from tests.integration.order_topics import create_topics, delete_topics
from tests.integration.polling import wait_for
from tests.integration.runners import RunnerThreads

pytestmark = pytest.mark.integration

CONSUMER = "access-subscriptions"
PAID_UNTIL = datetime.now(timezone.utc).date() + timedelta(days=30)
PAID_END = paid_end(PAID_UNTIL)  # the end of that day: the rule is unit-tested
PLAN_ROLES = ["PREMIUM_USER", "COURSE_XYZ"]


@pytest.fixture
def topic(stack):
    """A fresh copy of sales.subscription and its dead-letter topic for this test alone."""
    name = f"test.subscription.{uuid.uuid4().hex[:8]}"
    create_topics(name, f"{name}.dlq")
    yield name
    delete_topics(name, f"{name}.dlq")


@pytest.fixture
def consumer(topic):
    """The access-subscriptions runner on the test topic in a thread; yields its group (also
    its inbox key)."""
    threads, group = RunnerThreads(), f"test-{uuid.uuid4().hex[:8]}"
    threads.start(build(CONSUMER, topic=topic, dead_letter_topic=f"{topic}.dlq", group=group,
                        derive_inbox_window=False, max_attempts=2, retry_backoff_s=0.05,
                        poll_timeout_s=0.2))
    yield group
    threads.stop_all()


@pytest.fixture
def access_db(stack):
    engine = create_engine(database_url("access"))
    yield engine
    engine.dispose()


def message(event_type: str, email: str, subscription_id: str, status: str, roles: list[str]):
    event_id = str(uuid.uuid4())
    value = encode(event_type, {
        "event_id": event_id, "subscription_id": subscription_id, "customer_email": email,
        "plan_id": "plan_54321", "plan_name": "Premium Plan", "roles": roles, "status": status,
        "next_billing_date": PAID_UNTIL, "paid_until": PAID_UNTIL, "price": "59.99",
        "currency": "BRL", "billing_cycle": "monthly", "occurred_at": datetime.now(timezone.utc)})
    return {"key": email, "value": value,
            "headers": [("id", event_id.encode()), ("eventType", event_type.encode())]}


def send(topic: str, *messages) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap()})
    for each in messages:
        producer.produce(topic, **each)
    assert producer.flush(30) == 0


def roles_held(db, email: str) -> dict:
    with db.connect() as c:
        rows = c.execute(select(user_roles.c.role, user_roles.c.until)
                         .join(users, users.c.id == user_roles.c.user_id)
                         .where(users.c.email == email)).all()
    return dict(rows)


def grants_of(db, subscription_id: str) -> list:
    with db.connect() as c:
        return c.execute(select(grants.c.role, grants.c.source_type, grants.c.ends_at,
                                grants.c.end_reason)
                         .where(grants.c.source_id == subscription_id)).all()


def inbox_count(db, group: str, event_id: str) -> int:
    with db.connect() as c:
        return c.scalar(select(func.count()).select_from(processed_events)
                        .where(processed_events.c.consumer == group,
                               processed_events.c.event_id == event_id))


def test_activation_grants_until_the_paid_end_and_a_redelivery_after_suspension_is_not_applied(
        topic, consumer, access_db):
    email = f"sub-{uuid.uuid4().hex[:8]}@example.com"
    sub, later = f"sub_{uuid.uuid4().hex[:16]}", f"sub_{uuid.uuid4().hex[:16]}"
    activated = message("SubscriptionActivated", email, sub, "active", PLAN_ROLES)
    send(topic, activated)
    held = wait_for(lambda: roles_held(access_db, email), what="the plan's roles")
    assert held == {"PREMIUM_USER": PAID_END, "COURSE_XYZ": PAID_END}
    assert {(r.source_type, r.ends_at, r.end_reason) for r in grants_of(access_db, sub)} == {
        ("subscription", PAID_END, None)}

    suspended = message("SubscriptionSuspended", email, sub, "suspended", PLAN_ROLES)
    # The activation again (a redelivery), then another subscription's activation: one key, one
    # partition, so once the last is applied the redelivery has been read.
    sentinel = message("SubscriptionActivated", email, later, "active", ["COURSE_SENTINEL"])
    send(topic, suspended, activated, sentinel)
    wait_for(lambda: "COURSE_SENTINEL" in roles_held(access_db, email), what="the sentinel's role")
    assert roles_held(access_db, email) == {"COURSE_SENTINEL": PAID_END}  # not granted again
    ended = grants_of(access_db, sub)
    assert len(ended) == 2 and {r.end_reason for r in ended} == {"subscription_change"}
    assert inbox_count(access_db, consumer, activated["headers"][0][1].decode()) == 1
