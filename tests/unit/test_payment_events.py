"""Payment webhooks stored once and applied once, on the in-memory billing unit of work: the
API's use case and the billing consumer's handler."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from apps.billing.domain.cycles import BillingCycle
from apps.billing.domain.model import Plan, Status, Subscription
from apps.billing.service import webhooks
from apps.consumers import billing
from apps.consumers.payment_events import PaymentEventReceived
from tests.unit.billing_fakes import FakeBillingUnitOfWork

CREATED = datetime(2026, 1, 31, 9, 0, tzinfo=timezone.utc)
PAID = datetime(2026, 2, 1, 10, 0, tzinfo=timezone.utc)
PLAN = Plan("plan_12345", "Basic Plan", Decimal("29.99"), "BRL", BillingCycle.MONTHLY,
            ("PREMIUM_USER",))


def pending() -> Subscription:
    subscription = Subscription.create(PLAN, "cliente@email.com", CREATED)
    subscription.events.clear()
    return subscription


def webhook(subscription_id: str, event="payment_success", amount="29.99", provider_id=None,
            digest="d1") -> webhooks.PaymentWebhook:
    return webhooks.PaymentWebhook(subscription_id, event, Decimal(amount), date(2026, 2, 1),
                                   provider_id, digest)


def uow_with(*subscriptions) -> FakeBillingUnitOfWork:
    return FakeBillingUnitOfWork([PLAN], subscriptions)


# Receiving -------------------------------------------------------------------------------
def test_a_webhook_is_stored_with_its_event_in_one_commit():
    subscription = pending()
    uow = uow_with(subscription)
    stored = webhooks.receive_payment_webhook(uow, webhook(subscription.id, provider_id="evt_1"),
                                              clock=lambda: PAID)
    assert stored == webhooks.Stored(1, duplicate=False)
    row = uow.committed.payment_events[1]
    assert (row["type"], row["processed"], row["provider_event_id"]) == \
        ("payment_success", False, "evt_1")
    assert row["data"] == {"subscription_id": subscription.id, "event": "payment_success",
                           "amount": "29.99", "date": "2026-02-01"}
    [event] = uow.published
    assert (event.aggregate_type, event.aggregate_id, event.type) == ("sales.payment", subscription.id,
                                                    "PaymentEventReceived")
    assert event.payload["payment_event_id"] == 1 and event.payload["amount"] == "29.99"


@pytest.mark.parametrize("again", [
    dict(provider_id="evt_1", digest="another signature"),  # re-signed, same platform id
    dict(provider_id=None, digest="d1"),  # the very same request
], ids=["same-provider-event-id", "same-body-and-signature"])
def test_a_webhook_sent_again_answers_the_first_id_and_writes_nothing(again):
    subscription = pending()
    uow = uow_with(subscription)
    webhooks.receive_payment_webhook(uow, webhook(subscription.id, provider_id="evt_1"))
    stored = webhooks.receive_payment_webhook(uow, webhook(subscription.id, **again))
    assert stored == webhooks.Stored(1, duplicate=True)
    assert list(uow.committed.payment_events) == [1] and len(uow.published) == 1
    assert uow.commits == 1


def test_a_webhook_for_an_unknown_subscription_is_refused_naming_it():
    uow = uow_with()
    with pytest.raises(webhooks.InvalidWebhook) as refused:
        webhooks.receive_payment_webhook(uow, webhook("sub_67890"))
    assert refused.value.field == "subscription_id" and "sub_67890" in str(refused.value)
    assert uow.committed.payment_events == {} and uow.published == []


@pytest.mark.parametrize("amount", ["29.999", "-1", "NaN", "Infinity"])
def test_an_amount_the_currency_cannot_have_is_refused_naming_it(amount):
    subscription = pending()
    uow = uow_with(subscription)
    with pytest.raises(webhooks.InvalidWebhook) as refused:
        webhooks.receive_payment_webhook(uow, webhook(subscription.id, amount=amount))
    assert refused.value.field == "amount" and uow.published == []


def test_the_amount_is_kept_as_written_never_in_exponent_form():
    assert webhook("s", amount="1E+2").data()["amount"] == "100"
    assert webhook("s", amount="29.90").data()["amount"] == "29.90"


def test_the_digest_changes_with_the_signature_or_the_body():
    digest = webhooks.request_digest("t=1,v1=ab", b"{}")
    assert digest == webhooks.request_digest("t=1,v1=ab", b"{}")
    assert digest != webhooks.request_digest("t=2,v1=ab", b"{}")
    assert digest != webhooks.request_digest("t=1,v1=ab", b"{ }")
    assert webhooks.request_digest("t=1,v1=a", b"b{}") != webhooks.request_digest("t=1,v1=ab", b"{}")


# Applying (the billing consumer's handler, in the consumer's transaction) ----------------
def received(uow, subscription_id: str, event="payment_success") -> PaymentEventReceived:
    stored = webhooks.receive_payment_webhook(
        uow, webhook(subscription_id, event, digest=f"{event}-{len(uow.published)}"))
    return PaymentEventReceived("e-id", stored.id, None, subscription_id, event, "29.99",
                                date(2026, 2, 1), PAID)


def consume(uow, event: PaymentEventReceived) -> None:
    with uow:
        billing.handle_payment_event_received(event, uow)
        uow.commit()


def test_a_success_activates_a_pending_subscription_and_bills_a_month_on():
    subscription = pending()
    uow = uow_with(subscription)
    event = received(uow, subscription.id)
    consume(uow, event)
    paid = uow.committed.subscriptions[subscription.id]
    assert (paid.status, paid.periods_paid, paid.next_billing_date) == \
        (Status.ACTIVE, 1, date(2026, 2, 28))  # Jan 31 + one month
    assert uow.committed.payment_events[event.payment_event_id]["processed"] is True
    assert uow.published[-1].type == "SubscriptionActivated"


def test_a_payment_event_applied_already_changes_nothing():
    subscription = pending()
    uow = uow_with(subscription)
    event = received(uow, subscription.id)
    consume(uow, event)
    published = len(uow.published)
    consume(uow, event)  # another copy: another consumer group, a re-drive under a new id
    assert uow.committed.subscriptions[subscription.id].periods_paid == 1
    assert len(uow.published) == published


def test_three_failures_make_an_active_subscription_past_due_then_suspended():
    subscription = pending()
    uow = uow_with(subscription)
    consume(uow, received(uow, subscription.id))
    statuses = []
    for _ in range(3):
        consume(uow, received(uow, subscription.id, "payment_failed"))
        statuses.append(uow.committed.subscriptions[subscription.id].status)
    assert statuses == [Status.PAST_DUE, Status.PAST_DUE, Status.SUSPENDED]
    assert [e.type for e in uow.published if e.aggregate_type == "sales.subscription"] == \
        ["SubscriptionActivated", "SubscriptionPastDue", "SubscriptionSuspended"]


def test_a_payment_event_of_an_unknown_type_fails_rather_than_being_marked():
    subscription = pending()
    uow = uow_with(subscription)
    event = received(uow, subscription.id)
    with pytest.raises(webhooks.UnknownPaymentEvent):
        consume(uow, PaymentEventReceived(**{**event.__dict__, "type": "payment_refunded"}))
    assert uow.committed.payment_events[event.payment_event_id]["processed"] is False
