"""The payment worker on real PostgreSQL, Debezium and Kafka, against a platform of its own.

Why a topic and a platform of the test's own: the stack's own `consumer-payments` keeps running
on sales.order and charges every OrderPlaced there through the shared platform. Had these
tests placed their orders on sales.order, that worker would race the one under test for each
order, and the failures told to a platform (503s, slow answers) would hit whichever of them
called first. So the orders are placed by the real use case, and their OrderPlaced goes
through the real outbox, WAL and Debezium, but to a topic made for the test
(tests/integration/order_topics.py), which only the worker under test reads: the payments
consumer's own runner (apps/consumers/runner.build, its own group and dead-letter topic), in a
thread, with its gateway (module apps.consumers.payments, GATEWAY) swapped for one on a
private fake platform (a subprocess on a free port), a card vault under a key of the test's
own, and the real attempt log. What the worker commits then takes the usual way: OrderPaid to
sales.order (which the shared worker ignores), PurchaseCompleted to sales.purchase.
"""
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from confluent_kafka import Producer
from sqlalchemy import select

from apps.cards.vault import CardVault
from apps.consumers import payments
from apps.consumers.runner import build
from apps.payments.platform import PaymentPlatform
from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.adapters.orders import PaymentAttempts
from apps.sales_api.adapters.tables import order_cards, purchases
from apps.sales_api.domain.orders import Customer, OrderPlaced, OrderStatus
from apps.sales_api.service.orders import get_order, place_order
from apps.sales_api.service.uow import SalesUnitOfWork
from apps.settings import kafka_bootstrap
from tests.integration.card_numbers import luhn_number, spaced
from tests.integration.order_topics import (TopicWindow, create_topics, delete_topics,
                                            orders_placed_to_own_topic)
from tests.integration.polling import wait_for
from tests.integration.runners import RunnerThreads
# The private fake platform (a subprocess on a free port, per module) and a client of the
# test's own on it, which resets the platform's /_control after each test.
from tests.integration.test_payment_platform import KEY, SECRET, client, platform  # noqa: F401

pytestmark = pytest.mark.integration
DECLINED = "4000000000000002"
PLATFORM_TIMEOUT_S = 2.0  # the worker's client; the slow-answer test waits longer than this
SETTLE_S = 60  # a deadline, not an expectation


@dataclass
class Worker:
    topic: str
    runner: object
    vault: CardVault
    attempts: PaymentAttempts


@pytest.fixture
def worker(platform, sales_db, monkeypatch):
    """The payments consumer in a thread on a fresh topic of OrderPlaced events."""
    vault = CardVault({1: os.urandom(32)}, 1)
    attempts = PaymentAttempts(sales_db)
    monkeypatch.setattr(payments, "GATEWAY", SimpleNamespace(
        vault=vault, attempts=attempts,
        platform=PaymentPlatform(platform.url, KEY, SECRET, timeout=PLATFORM_TIMEOUT_S)))
    threads = RunnerThreads()
    with orders_placed_to_own_topic("payments") as topic:
        dead_letters = f"{topic}.dlq"
        create_topics(dead_letters)
        try:
            runner = threads.start(build(
                "payments", topic=topic, dead_letter_topic=dead_letters,
                group=f"test-payments-{uuid.uuid4().hex[:8]}", derive_inbox_window=False,
                poll_timeout_s=0.2, retry_backoff_s=0.05, max_transient_backoff_s=0.5))
            yield Worker(topic, runner, vault, attempts)
        finally:
            threads.stop_all()
            delete_topics(dead_letters)


def customer() -> Customer:
    return Customer(f"pay-{uuid.uuid4().hex[:10]}@example.com", "Ana Souza")


def place(sales_db, worker: Worker, buyer: Customer, number: str):
    card = {"number": number, "holder": "ANA SOUZA", "expiryMonth": 12,
            "expiryYear": datetime.now(timezone.utc).year + 2, "cvc": "123"}
    return place_order(SalesUnitOfWork(sales_db.connect), worker.vault, buyer,
                       [("123456", 1), ("987654", 1)], card)


def settled(sales_db, order_id):
    """The order once the worker has settled it (paid or failed)."""
    def read():
        order = get_order(SalesUnitOfWork(sales_db.connect), order_id)
        return order if order.status is not OrderStatus.PENDING_PAYMENT else None
    return wait_for(read, SETTLE_S, f"order {order_id} to be paid or failed")


def outcomes(worker: Worker, order_id) -> list[str]:
    return [row.outcome for row in worker.attempts.of_order(order_id) if row.kind == "charge"]


def purchases_of(sales_db, order_id) -> list:
    with sales_db.connect() as connection:
        return connection.execute(select(purchases.c.id).where(
            purchases.c.order_id == order_id)).all()


def test_a_redelivered_order_placed_charges_once(sales_db, worker, client):
    """The same message twice (the inbox's job) and a second OrderPlaced event of the same order
    (the use case's: a settled order is left alone): one charge, one attempt."""
    window = TopicWindow(worker.topic)
    try:
        order = place(sales_db, worker, customer(), "4242 4242 4242 4242")
        paid = settled(sales_db, order.id)
        [original] = wait_for(window.read, SETTLE_S, "OrderPlaced as Debezium wrote it")
        producer = Producer({"bootstrap.servers": kafka_bootstrap()})
        producer.produce(worker.topic, key=original.key(), value=original.value(),
                         headers=original.headers())
        assert producer.flush(30) == 0
        with SalesUnitOfWork(sales_db.connect) as uow:  # a new event id, through the outbox
            uow.add_event(to_outbox(OrderPlaced(order)))
            uow.commit()
        wait_for(lambda: worker.runner.counts["applied"] >= 2
                 and worker.runner.counts["duplicates"] >= 1, SETTLE_S,
                 "the copy and the second event to be consumed")
        assert len(window.read()) == 3
    finally:
        window.close()
    assert paid.status is OrderStatus.PAID
    [charge] = client.charges_for(order.id)
    assert (charge["id"], charge["status"], charge["amount"]) == (paid.charge_id, "approved",
                                                                   "89.80")
    assert outcomes(worker, order.id) == ["approved"]
    assert len(purchases_of(sales_db, order.id)) == 2
    assert get_order(SalesUnitOfWork(sales_db.connect), order.id).charge_id == paid.charge_id


@pytest.mark.parametrize("failures", [2, 5], ids=["within the quick retries",
                                                  "the batch held and retried"])
def test_5xx_then_success_charges_once(sales_db, worker, platform, client, failures):
    platform.control(failNext=failures, failStatus=503)
    order = place(sales_db, worker, customer(), "4242 4242 4242 4242")
    paid = settled(sales_db, order.id)
    assert paid.status is OrderStatus.PAID
    assert outcomes(worker, order.id) == ["unavailable"] * failures + ["approved"]
    assert [c["id"] for c in client.charges_for(order.id)] == [paid.charge_id]
    assert len(purchases_of(sales_db, order.id)) == 2
    assert worker.runner.counts["dead_lettered"] == 0


def charge_requests(platform, since: int) -> int:
    """POST /charges requests the platform has finished answering since byte `since` of its log
    (it logs a request when it answers, also one whose client gave up waiting)."""
    with open(platform.log_path, "rb") as log:
        log.seek(since)
        return len(re.findall(rb'"POST /charges HTTP', log.read()))


def test_a_charge_whose_answer_was_lost_is_found_not_repeated(sales_db, worker, platform,
                                                              client):
    """Slower than the worker's timeout: the charge is made after the worker gave up, so its
    retry must carry the same idempotency key (the order id) to get that charge back."""
    since = platform.log_path.stat().st_size
    platform.control(delaySeconds=PLATFORM_TIMEOUT_S + 1.5)
    order = place(sales_db, worker, customer(), "4242 4242 4242 4242")
    wait_for(lambda: "unavailable" in outcomes(worker, order.id), SETTLE_S, "a timed-out attempt")
    wait_for(lambda: client.charges_for(order.id), SETTLE_S,
             "the slowed charge to be made")
    platform.control("DELETE")
    paid = settled(sales_db, order.id)
    assert paid.status is OrderStatus.PAID
    # Every request the worker sent has been answered: none can still add a charge.
    wait_for(lambda: charge_requests(platform, since) == len(outcomes(worker, order.id)),
             SETTLE_S, "the platform to answer every attempt")
    assert [c["id"] for c in client.charges_for(order.id)] == [paid.charge_id]
    attempts = outcomes(worker, order.id)
    assert attempts[0] == "unavailable" and attempts[-1] == "approved"


def card_row(sales_db, order_id):
    with sales_db.connect() as connection:
        return connection.scalar(select(order_cards.c.ciphertext)
                                 .where(order_cards.c.order_id == order_id))


def test_the_card_is_gone_after_the_attempt_and_in_no_kafka_message(system, sales_db, worker):
    """`system`: the access consumer must run for access.role to carry this test's roles."""
    approved = luhn_number()
    buyer = customer()
    window = TopicWindow(worker.topic, "sales.order", "sales.purchase", "access.role")
    try:
        paid = place(sales_db, worker, buyer, spaced(approved))
        failed = place(sales_db, worker, buyer, spaced(DECLINED))
        assert settled(sales_db, paid.id).status is OrderStatus.PAID
        assert settled(sales_db, failed.id).failure_code == "card_declined"
        assert card_row(sales_db, paid.id) is None and card_row(sales_db, failed.id) is None

        def everything_of_ours_arrived() -> bool:
            seen = {(topic, event_type) for topic, event_type, record in window.events()
                    if buyer.email in record.values()}
            return {(worker.topic, "OrderPlaced"), ("sales.order", "OrderPaid"),
                    ("sales.order", "OrderPaymentFailed"), ("sales.purchase", "PurchaseCompleted"),
                    ("access.role", "RoleGranted")} <= seen
        wait_for(everything_of_ours_arrived, SETTLE_S,
                 "this test's events on every topic (Debezium, then the access consumer)")
        decoded = window.events()
    finally:
        window.close()

    for number in (approved, spaced(approved), DECLINED, spaced(DECLINED)):
        assert [m.topic() for m in window.carrying(number)] == []
        assert not [r for _, _, r in decoded if number in repr(r)]
    # The search does read the events: the last four digits, which an order may show, are found.
    placed = [r for topic, _, r in decoded if topic == worker.topic and r["order_id"] == str(paid.id)]
    assert placed and placed[0]["card_last4"] == approved[-4:]
