"""Orders and their payment on the in-memory unit of work, with no server.

The domain: totals in decimals, quantity n as n purchases of one period, one currency per
order, cancellation of paid orders only. The payment worker's use cases, run as its consumer
runs them (inside `with uow:`, committed after): the real card vault under a test key, a fake
platform that answers as told, and a fake log of attempts.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import create_engine

from apps.cards.rules import Card
from apps.cards.vault import CardVault
from apps.durations import Duration
from apps.payments.platform import ChargeResult, PlatformUnavailable, RefundResult
from apps.sales_api.api.errors import register_error_handlers
from apps.sales_api.domain.errors import InvalidOrder, NoLivePurchase
from apps.sales_api.domain.model import Product, PurchaseCompleted, PurchaseStatus
from apps.sales_api.domain.orders import (CardSummary, Customer, MixedCurrencies, Order,
                                          OrderItem, OrderNotCancellable, OrderStatus)
from apps.sales_api.service.orders import cancel_order, place_order
from apps.sales_api.service.payments import QUICK_RETRIES, charge_order, refund_order
from apps.sales_api.service.purchases import cancel_purchase
from apps.web import create_api
from tests.unit.fakes import FakeSalesUnitOfWork
from tests.unit.http_app import unreachable_database_url

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
MONTH = Duration.parse("P1M")
XYZ = Product("123456", "Course XYZ", ("COURSE_XYZ", "PREMIUM_USER"), MONTH,
              price=Decimal("49.90"), currency="BRL")
ABCD = Product("987654", "Course ABCD", ("COURSE_ABCD", "PREMIUM_USER"), MONTH,
               price=Decimal("39.90"), currency="BRL")
TENTH = Product("tenth", "A tenth", ("COURSE_TENTH",), Duration.parse("P1Y"),
                price=Decimal("0.10"), currency="BRL")
DOLLARS = Product("dollars", "In dollars", ("COURSE_USD",), MONTH, price=Decimal("10.00"),
                  currency="USD")
ARCHIVED = Product("archived", "No longer sold", ("COURSE_OLD",), MONTH,
                   price=Decimal("5.00"), active=False)
ANA = Customer("ana@example.com", "Ana Souza")
APPROVED, DECLINED = "4242424242424242", "4000000000000002"
SERVICE_KEY = "integration-key"


def at(moment):
    return lambda: moment


def card(number: str = APPROVED, **fields) -> dict:
    return {"number": number, "holder": "ANA SOUZA", "expiryMonth": 12, "expiryYear": 2030,
            "cvc": "123", **fields}


@pytest.fixture
def uow():
    return FakeSalesUnitOfWork(products=[XYZ, ABCD, TENTH, DOLLARS, ARCHIVED],
                               service_keys={SERVICE_KEY: 7})


@pytest.fixture
def vault():
    return CardVault({1: bytes(range(32))}, 1)


def placed(uow, vault, lines=(("123456", 1), ("987654", 1)), number=APPROVED) -> Order:
    return place_order(uow, vault, ANA, list(lines), card(number), clock=at(T0))


def types(events) -> list[str]:
    return [e.type for e in events]


# The order itself -----------------------------------------------------------------------

def test_the_total_is_the_exact_decimal_sum_of_the_items():
    order = Order.place(ANA, [OrderItem.of(XYZ, 1), OrderItem.of(ABCD, 1), OrderItem.of(TENTH, 3)],
                        CardSummary("visa", "4242"), T0)
    assert order.total == Decimal("90.10")  # 0.1 * 3 in floats is 0.30000000000000004
    assert [item.amount for item in order.items] == [Decimal("49.90"), Decimal("39.90"),
                                                     Decimal("0.30")]
    assert order.currency == "BRL" and order.status is OrderStatus.PENDING_PAYMENT


def test_quantity_n_is_n_purchases_of_one_period_each_with_the_items_roles():
    order = Order.place(ANA, [OrderItem.of(XYZ, 3), OrderItem.of(ABCD, 1)],
                        CardSummary("visa", "4242"), T0)
    purchases = order.pay("ch_1", T0)
    assert [p.product_id for p in purchases] == ["123456"] * 3 + ["987654"]
    assert all(p.duration == MONTH and p.purchased_at == T0 for p in purchases)
    assert [p.roles for p in purchases] == [XYZ.roles] * 3 + [ABCD.roles]
    assert len({p.id for p in purchases}) == 4
    assert all(isinstance(e, PurchaseCompleted) for p in purchases for e in p.events)
    assert order.status is OrderStatus.PAID and order.charge_id == "ch_1"


def test_items_in_two_currencies_are_refused_naming_the_items():
    with pytest.raises(MixedCurrencies) as refused:
        Order.place(ANA, [OrderItem.of(XYZ, 1), OrderItem.of(DOLLARS, 1)],
                    CardSummary("visa", "4242"), T0)
    assert refused.value.field == "items" and "BRL, USD" in str(refused.value)


def test_placing_an_order_in_two_currencies_commits_nothing(uow, vault):
    with pytest.raises(MixedCurrencies):
        placed(uow, vault, [("123456", 1), ("dollars", 1)])
    assert (uow.commits, uow.committed_orders, uow.published) == (0, {}, [])


@pytest.mark.parametrize("settle", [
    lambda order: None,
    lambda order: order.fail("card_declined", "The card was declined.", T0),
    lambda order: (order.pay("ch_1", T0), order.cancel(T0)),
])
def test_only_a_paid_order_can_be_cancelled_and_the_error_names_the_status(settle):
    order = Order.place(ANA, [OrderItem.of(XYZ, 1)], CardSummary("visa", "4242"), T0)
    settle(order)
    status = order.status
    with pytest.raises(OrderNotCancellable) as refused:
        order.cancel(T0)
    assert refused.value.field == "status" and status.value in str(refused.value)
    assert order.status is status


def test_not_cancellable_is_a_409_naming_the_status():
    app = Flask("orders_errors")
    api = create_api(app, "Test", "For tests.", engine=create_engine(unreachable_database_url()))
    register_error_handlers(app, api)

    def cancel_a_pending_order():
        raise OrderNotCancellable(OrderStatus.PENDING_PAYMENT)
    app.add_url_rule("/cancel", "cancel", cancel_a_pending_order, methods=["POST"])
    response = app.test_client().post("/cancel", json={})
    assert response.status_code == 409
    assert "pending_payment" in response.get_json()["errors"]["json"]["status"][0]


# Placing --------------------------------------------------------------------------------

def test_placing_commits_the_order_its_sealed_card_and_order_placed_only(uow, vault):
    order = placed(uow, vault)
    stored, sealed = uow.committed_orders[order.id]
    assert stored.status is OrderStatus.PENDING_PAYMENT and stored.total == Decimal("89.80")
    assert stored.card == CardSummary("visa", "4242")
    assert APPROVED.encode() not in sealed
    assert vault.decrypt(sealed, order.id).number == APPROVED
    assert types(uow.published) == ["OrderPlaced"] and uow.commits == 1
    assert APPROVED not in repr(uow.published[0].payload)
    assert uow.customers_committed == {ANA.email: ANA.name}


@pytest.mark.parametrize("lines, field", [
    ([("nothing", 1)], {"items": {0: {"productId": ["product 'nothing' does not exist"]}}}),
    ([("123456", 1), ("archived", 1)],
     {"items": {1: {"productId": ["product 'archived' is archived: no longer sold"]}}}),
])
def test_an_unknown_or_archived_product_is_named_by_its_line(uow, vault, lines, field):
    with pytest.raises(InvalidOrder) as refused:
        placed(uow, vault, lines)
    assert refused.value.errors == field
    assert (uow.commits, uow.committed_orders) == (0, {})


def test_a_bad_card_and_a_bad_product_are_named_together(uow, vault):
    with pytest.raises(InvalidOrder) as refused:
        place_order(uow, vault, ANA, [("nothing", 1)], card("4242424242424241", expiryYear=2025),
                    clock=at(T0))
    errors = refused.value.errors
    assert set(errors) == {"card", "items"}
    assert set(errors["card"]) == {"number", "expiryYear"}
    assert "Luhn" in errors["card"]["number"][0]


# Charging: the payment worker's use case --------------------------------------------------

@dataclass
class FakePlatform:
    """Answers charges with `decline` (code, message) or an approval, after failing
    `unavailable` times; remembers every call."""
    unavailable: int = 0
    decline: tuple[str, str] | None = None
    charges: list = field(default_factory=list)  # (order id, amount, currency, card)
    refunds: list = field(default_factory=list)  # (charge id, idempotency key)

    def charge(self, order_id, amount, currency, card_: Card) -> ChargeResult:
        self.charges.append((order_id, amount, currency, card_))
        if self.unavailable:
            self.unavailable -= 1
            raise PlatformUnavailable("POST /charges: the platform answered 503")
        if self.decline:
            return ChargeResult(False, f"ch_{len(self.charges)}", *self.decline)
        return ChargeResult(True, f"ch_{len(self.charges)}")

    def refund(self, charge_id: str, idempotency_key: str) -> RefundResult:
        self.refunds.append((charge_id, idempotency_key))
        return RefundResult(f"re_{len(self.refunds)}", charge_id, "succeeded")


@dataclass
class FakeAttempts:
    rows: list = field(default_factory=list)  # (order id, kind, outcome, detail, charge id)

    def record(self, order_id, kind, outcome, detail=None, charge_id=None) -> None:
        self.rows.append((order_id, kind, outcome, detail, charge_id))


@dataclass
class Gateway:
    vault: CardVault
    platform: FakePlatform = field(default_factory=FakePlatform)
    attempts: FakeAttempts = field(default_factory=FakeAttempts)


@pytest.fixture
def gateway(vault):
    return Gateway(vault)


def delivered(uow, order_id, gateway, use_case=charge_order, waits=None):
    """One delivery of the order's event, as the consumer applies it: one transaction."""
    with uow:
        use_case(uow, order_id, gateway, clock=at(T0 + timedelta(minutes=1)),
                 sleep=(waits if waits is not None else []).append)
        uow.commit()


def test_an_approved_charge_pays_the_order_completes_its_purchases_and_forgets_the_card(
        uow, vault, gateway):
    order = placed(uow, vault, [("123456", 2), ("987654", 1)])
    delivered(uow, order.id, gateway)
    [(order_id, amount, currency, charged)] = gateway.platform.charges
    assert (order_id, amount, currency) == (order.id, Decimal("139.70"), "BRL")
    assert charged.number == APPROVED and charged.cvc == "123"
    paid, sealed = uow.committed_orders[order.id]
    assert paid.status is OrderStatus.PAID and paid.charge_id == "ch_1" and sealed is None
    purchases = [p for p, source in uow.committed.values() if source == ("order", order.id)]
    assert sorted(p.product_id for p in purchases) == ["123456", "123456", "987654"]
    assert all(p.status is PurchaseStatus.COMPLETED for p in purchases)
    events = uow.published[1:]
    assert sorted(types(events)) == ["OrderPaid"] + ["PurchaseCompleted"] * 3
    [paid_event] = [e for e in events if e.type == "OrderPaid"]
    assert sorted(paid_event.payload["purchase_ids"]) == sorted(str(p.id) for p in purchases)
    assert gateway.attempts.rows == [(order.id, "charge", "approved", None, "ch_1")]


def test_a_declined_charge_fails_the_order_with_the_platforms_reason_and_forgets_the_card(
        uow, vault, gateway):
    gateway.platform.decline = ("card_declined", "The card was declined.")
    order = placed(uow, vault, number=DECLINED)
    delivered(uow, order.id, gateway)
    failed, sealed = uow.committed_orders[order.id]
    assert failed.status is OrderStatus.PAYMENT_FAILED and sealed is None
    assert (failed.failure_code, failed.failure_message) == ("card_declined",
                                                             "The card was declined.")
    assert types(uow.published[1:]) == ["OrderPaymentFailed"]
    assert uow.published[1].payload["failure_code"] == "card_declined"
    assert uow.committed == {}, "a declined order completes no purchase"
    assert [row[2] for row in gateway.attempts.rows] == ["declined"]


def test_unavailable_after_the_quick_retries_propagates_and_commits_nothing(uow, vault, gateway):
    order = placed(uow, vault)
    gateway.platform.unavailable, waits = QUICK_RETRIES, []
    with pytest.raises(PlatformUnavailable):
        delivered(uow, order.id, gateway, waits=waits)
    assert len(gateway.platform.charges) == QUICK_RETRIES and len(waits) == QUICK_RETRIES - 1
    pending, sealed = uow.committed_orders[order.id]
    assert pending.status is OrderStatus.PENDING_PAYMENT
    assert vault.decrypt(sealed, order.id).number == APPROVED, "the card is kept for the retry"
    assert types(uow.published) == ["OrderPlaced"] and uow.commits == 1
    assert [row[2] for row in gateway.attempts.rows] == ["unavailable"] * QUICK_RETRIES

    delivered(uow, order.id, gateway)  # the consumer's retry of the held batch
    assert uow.committed_orders[order.id][0].status is OrderStatus.PAID
    assert [row[2] for row in gateway.attempts.rows][-1] == "approved"


def test_unavailable_then_an_answer_within_the_quick_retries_charges_in_one_delivery(
        uow, vault, gateway):
    order = placed(uow, vault)
    gateway.platform.unavailable, waits = QUICK_RETRIES - 1, []
    delivered(uow, order.id, gateway, waits=waits)
    assert uow.committed_orders[order.id][0].status is OrderStatus.PAID
    assert len(waits) == QUICK_RETRIES - 1
    assert {charge[0] for charge in gateway.platform.charges} == {order.id}


@pytest.mark.parametrize("decline", [None, ("card_declined", "The card was declined.")])
def test_a_second_delivery_of_a_settled_order_does_nothing(uow, vault, gateway, decline):
    gateway.platform.decline = decline
    order = placed(uow, vault)
    delivered(uow, order.id, gateway)
    settled, published = uow.committed_orders[order.id], list(uow.published)
    delivered(uow, order.id, gateway)
    assert len(gateway.platform.charges) == 1 and len(gateway.attempts.rows) == 1
    assert uow.committed_orders[order.id] == settled and uow.published == published


def test_an_unknown_order_is_nothing_to_charge(uow, gateway):
    delivered(uow, "00000000-0000-0000-0000-000000000000", gateway)
    assert gateway.platform.charges == [] and uow.published == []


# Cancelling and refunding --------------------------------------------------------------

def paid_order(uow, vault, gateway) -> Order:
    order = placed(uow, vault)
    delivered(uow, order.id, gateway)
    return order


def test_cancelling_a_paid_order_cancels_its_purchases_then_the_refund_is_asked_once(
        uow, vault, gateway):
    order = paid_order(uow, vault, gateway)
    before = len(uow.published)
    cancelled = cancel_order(uow, order.id, clock=at(T0 + timedelta(days=1)))
    assert cancelled.status is OrderStatus.CANCELLED
    # Two topics (sales.order, sales.purchase): their relative order is no promise.
    assert sorted(types(uow.published[before:])) == ["OrderCancelled"] + ["PurchaseCancelled"] * 2
    assert all(p.status is PurchaseStatus.CANCELLED for p, _ in uow.committed.values())

    delivered(uow, order.id, gateway, use_case=refund_order)
    delivered(uow, order.id, gateway, use_case=refund_order)  # OrderCancelled redelivered
    assert gateway.platform.refunds == [("ch_1", str(order.id))]
    refunded = uow.committed_orders[order.id][0]
    assert (refunded.refund_id, refunded.refunded_at) == ("re_1", T0 + timedelta(minutes=1))
    assert types(uow.published).count("OrderRefunded") == 1


def test_a_purchase_already_cancelled_on_its_own_is_not_cancelled_twice(uow, vault, gateway):
    order = paid_order(uow, vault, gateway)
    alone = cancel_purchase(uow, SERVICE_KEY, ANA.email, "123456", clock=at(T0))
    before = len(uow.published)
    cancel_order(uow, order.id, clock=at(T0 + timedelta(days=1)))
    [event] = [e for e in uow.published[before:] if e.type == "PurchaseCancelled"]
    assert event.payload["product_id"] == "987654"
    assert uow.committed[alone.id][0].cancelled_at == T0, "its own cancellation is kept"


def test_the_domain_skips_a_purchase_already_cancelled():
    order = Order.place(ANA, [OrderItem.of(XYZ, 2)], CardSummary("visa", "4242"), T0)
    first, second = order.pay("ch_1", T0)
    first.cancel(T0)
    order.cancel(T0 + timedelta(hours=1))  # would raise NoLivePurchase if it cancelled `first`
    assert second.cancelled_at == T0 + timedelta(hours=1) and first.cancelled_at == T0
    with pytest.raises(NoLivePurchase):
        first.cancel(T0)  # what cancelling it twice would have done


@pytest.mark.parametrize("decline", [False, True])
def test_a_pending_or_failed_order_is_not_cancellable_and_nothing_is_committed(
        uow, vault, gateway, decline):
    order = placed(uow, vault)
    if decline:
        gateway.platform.decline = ("card_declined", "The card was declined.")
        delivered(uow, order.id, gateway)
    commits, status = uow.commits, uow.committed_orders[order.id][0].status
    with pytest.raises(OrderNotCancellable):
        cancel_order(uow, order.id)
    assert uow.commits == commits and uow.committed_orders[order.id][0].status is status


def test_a_refund_is_not_asked_for_an_order_that_is_not_cancelled(uow, vault, gateway):
    order = paid_order(uow, vault, gateway)
    delivered(uow, order.id, gateway, use_case=refund_order)
    assert gateway.platform.refunds == []
