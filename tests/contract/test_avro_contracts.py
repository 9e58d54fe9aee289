"""The Avro contract other systems rely on: every event the code emits fits the current schema
of its type, and every event type with a schema has a code path that emits it."""
import uuid
from decimal import Decimal
from datetime import datetime, timedelta, timezone

import pytest

from outbox.codec import decode, encode, registry

from apps.access_api.adapters.events import ROLE_TOPIC, to_outbox as role_to_outbox
from apps.billing.adapters.events import (PAYMENT_TOPIC, SUBSCRIPTION_TOPIC, PaymentEventReceived,
                                          to_outbox as billing_to_outbox)
from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import MAX_FAILURES, Plan, Subscription
from apps.access_api.adapters.user_events import USER_TOPIC, to_outbox as access_to_outbox
from apps.access_api.domain.ledger import Ledger
from apps.access_api.domain.users import UserRecord
from apps.sales_api.adapters.events import ORDER_TOPIC, PURCHASE_TOPIC, to_outbox
from apps.sales_api.domain.orders import CardSummary, Customer, Order, OrderItem
from apps.durations import Duration
from apps.leads.adapters.events import LEAD_TOPIC, to_outbox as lead_to_outbox
from apps.leads.domain.model import Lead
from apps.sales_api.domain.model import (Product, PurchaseCancelled,
                                         PurchaseCompleted)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
PRODUCT = Product("123456", "Course XYZ", ("COURSE_XYZ", "PREMIUM_USER"),
                  Duration.parse("P1M"), price=Decimal("49.90"))


def sales_samples():
    """One of every purchase event, built the way the sales service builds them."""
    purchase_id = uuid.uuid4()
    return [
        to_outbox(PurchaseCompleted(purchase_id, "buyer@example.com", PRODUCT, NOW)),
        to_outbox(PurchaseCancelled(purchase_id, "buyer@example.com", PRODUCT.id, NOW)),
    ]


def order_samples():
    """One of every order event, from orders taken through their life by the domain."""
    customer, card = Customer("buyer@example.com", "Ana Souza"), CardSummary("visa", "4242")
    paid = Order.place(customer, [OrderItem.of(PRODUCT, 2)], card, NOW)
    paid.pay("ch_1", NOW)
    paid.cancel(NOW)
    paid.refunded("re_1", NOW)
    declined = Order.place(customer, [OrderItem.of(PRODUCT, 1)], card, NOW)
    declined.fail("card_declined", "The card was declined.", NOW)
    return [to_outbox(event) for event in paid.events + declined.events]


def role_samples():
    """One of every role event, from a user's ledger: granted, extended, shortened, revoked."""
    ledger = Ledger(42, "buyer@example.com", 0, [], {})
    ledger.buy("p1", "123456", ["COURSE_XYZ"], Duration.parse("P1M"), NOW, NOW)
    ledger.buy("p2", "123456", ["COURSE_XYZ"], Duration.parse("P1M"), NOW, NOW)
    later = NOW + timedelta(days=1)
    ledger.cancel("p2", later, later)
    ledger.cancel("p1", later, later)
    return [role_to_outbox(event) for event in ledger.events]


def user_samples():
    """One of every user event, from a user's record: named, renamed, its name taken away."""
    record = UserRecord(42, "buyer@example.com", None, 0, NOW)
    for name in ("Ana", "Ana Souza", "Ana Souza", None):  # the repeated name is no change
        record.rename(name, NOW)
    return [access_to_outbox(event) for event in record.events]


def billing_samples():
    """Every subscription change, from subscriptions taken through their lives by the domain,
    and a stored payment webhook."""
    basic = Plan("plan_12345", "Basic Plan", Decimal("29.99"), "BRL", BillingCycle.MONTHLY,
                 ("PREMIUM_USER",))
    premium = Plan("plan_54321", "Premium Plan", Decimal("59.90"), "BRL", BillingCycle.MONTHLY,
                   ("COURSE_XYZ", "PREMIUM_USER"))
    life = Subscription.create(basic, "buyer@example.com", NOW)
    life.payment_succeeded(NOW)  # activated
    life.payment_succeeded(NOW)  # renewed
    life.change_plan(premium, NOW.date(), NOW)
    life.request("paused", NOW)
    life.request("active", NOW)
    for _ in range(MAX_FAILURES):
        life.payment_failed(NOW)  # past due, then suspended
    life.request("cancelled", NOW)
    payment = PaymentEventReceived(7, "evt_1", life.id, "payment_success", "29.99", NOW.date(), NOW)
    return [billing_to_outbox(event) for event in life.events + [payment]]


def lead_samples():
    """Every lead event, from leads taken through their lives by the domain: one reminded (and
    converted after), one converted while still open."""
    reminded = Lead.open("buyer@example.com", "Ana Souza", NOW)
    reminded.remind(NOW + timedelta(hours=1), timedelta(hours=1), "http://127.0.0.1:8002")
    reminded.convert("order-1", NOW + timedelta(hours=2))
    converted = Lead.open("buyer@example.com", "Ana Souza", NOW)
    converted.convert("order-2", NOW + timedelta(minutes=5))
    return [lead_to_outbox(event) for event in reminded.events + converted.events]


def emitted_samples():
    return (sales_samples() + order_samples() + role_samples() + user_samples()
            + billing_samples() + lead_samples())


@pytest.mark.parametrize("event", lead_samples(), ids=lambda e: e.type)
def test_every_lead_event_goes_to_the_visitors_partition_with_its_event_id(event):
    assert (event.aggregate_type, event.aggregate_id) == (LEAD_TOPIC, "buyer@example.com")
    assert event.payload["event_id"] == str(event.id)


@pytest.mark.parametrize("event", billing_samples(), ids=lambda e: e.type)
def test_subscription_events_go_to_the_customers_partition_payments_to_the_subscriptions(event):
    if event.type == "PaymentEventReceived":
        assert (event.aggregate_type, event.aggregate_id) == \
            (PAYMENT_TOPIC, event.payload["subscription_id"])
    else:
        assert (event.aggregate_type, event.aggregate_id) == \
            (SUBSCRIPTION_TOPIC, "buyer@example.com")
    assert event.payload["event_id"] == str(event.id)


def test_each_subscription_event_states_what_that_change_left():
    statuses = [(e.type, e.payload["status"]) for e in billing_samples() if "status" in e.payload]
    assert ("SubscriptionPastDue", "past_due") in statuses
    assert ("SubscriptionSuspended", "suspended") in statuses


@pytest.mark.parametrize("event", emitted_samples(), ids=lambda e: e.type)
def test_every_emitted_event_round_trips_through_its_current_schema(event):
    # Equality also proves the payload sets every field: a field left to its default would
    # come back as an extra key.
    assert decode(encode(event.type, event.payload)) == (event.type, event.payload)


@pytest.mark.parametrize("event", sales_samples(), ids=lambda e: e.type)
def test_every_sales_event_goes_to_the_buyers_partition_with_its_event_id(event):
    assert (event.aggregate_type, event.aggregate_id) == (PURCHASE_TOPIC, "buyer@example.com")
    assert event.payload["event_id"] == str(event.id)


@pytest.mark.parametrize("event", role_samples(), ids=lambda e: e.type)
def test_every_role_event_goes_to_the_users_partition_with_its_event_id(event):
    assert (event.aggregate_type, event.aggregate_id) == (ROLE_TOPIC, "42")
    assert event.payload["event_id"] == str(event.id) and event.payload["user_id"] == 42


@pytest.mark.parametrize("event", user_samples(), ids=lambda e: f"{e.type}-v{e.payload['version']}")
def test_every_user_event_goes_to_the_users_partition_with_its_event_id(event):
    assert (event.aggregate_type, event.aggregate_id) == (USER_TOPIC, "42")
    assert event.payload["event_id"] == str(event.id) and event.payload["user_id"] == 42


def test_user_events_number_the_records_changes_and_skip_a_name_it_already_has():
    assert [(e.payload["version"], e.payload["name"]) for e in user_samples()] == [
        (1, "Ana"), (2, "Ana Souza"), (3, None)]


def test_the_access_mapper_still_maps_role_events():
    [granted, *_] = role_samples()
    ledger = Ledger(42, "buyer@example.com", 0, [], {})
    ledger.buy("p1", "123456", ["COURSE_XYZ"], Duration.parse("P1M"), NOW, NOW)
    mapped = access_to_outbox(ledger.events[0])
    assert (mapped.aggregate_type, mapped.type) == (granted.aggregate_type, granted.type)


@pytest.mark.parametrize("event", order_samples(), ids=lambda e: e.type)
def test_every_order_event_goes_to_the_customers_partition_and_carries_no_card(event):
    assert (event.aggregate_type, event.aggregate_id) == (ORDER_TOPIC, "buyer@example.com")
    assert event.payload["event_id"] == str(event.id)
    assert not {"number", "cvc", "card", "holder"} & set(event.payload)


def test_a_paid_order_names_one_purchase_per_period_bought():
    paid = next(e for e in order_samples() if e.type == "OrderPaid")
    assert len(paid.payload["purchase_ids"]) == 2 and paid.payload["total"] == "99.80"


def test_every_schema_belongs_to_an_emitted_event():
    assert {e.type for e in emitted_samples()} == set(registry())


def test_role_events_number_the_users_changes_one_by_one():
    assert [e.payload["sequence"] for e in role_samples()] == [1, 2, 3, 4]
    assert [e.type for e in role_samples()] == ["RoleGranted", "RoleExtended", "RoleShortened",
                                                "RoleRevoked"]


def test_a_completed_purchase_names_the_product_sold():
    completed, _ = sales_samples()
    assert completed.payload["product_name"] == "Course XYZ"
