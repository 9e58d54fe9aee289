"""An order through the running system: the sales API, the payment worker and the platform, the
outbox and Debezium, the access consumer's roles, the course platform's doors; then the
order's cancellation closes them and the platform refunds it. A declined card sells nothing.
No message the order causes, on any topic it goes through, carries the card number.
"""
import uuid

import pytest
import requests
from sqlalchemy import func, select

from apps.sales_api.adapters.tables import purchases
from apps.settings import SALES_API_URL
from tests.e2e.test_purchase_to_roles import roles
from tests.e2e.test_roles_to_course_access import courses_of
from tests.integration.order_topics import TopicWindow
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e
APPROVED, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"
BOTH_COURSES = {"PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD"}
TOPICS = ("sales.order", "sales.purchase", "access.role")
EFFECTS = {("sales.order", "OrderPlaced"), ("sales.order", "OrderPaid"),
           ("sales.purchase", "PurchaseCompleted"), ("access.role", "RoleGranted")}
SETTLE_S = 90  # a deadline, not an expectation: payment, Debezium, Kafka, two consumers


def place(api_key: str, email: str, number: str) -> dict:
    response = requests.post(f"{SALES_API_URL}/api/orders", timeout=10,
                             headers={"Authorization": f"Bearer {api_key}"}, json={
                                 "customer": {"email": email, "name": "Ana Souza"},
                                 "items": [{"productId": "123456"}, {"productId": "987654"}],
                                 "card": {"number": number, "holder": "ANA SOUZA",
                                          "expiryMonth": 12, "expiryYear": 2099, "cvc": "123"}})
    assert response.status_code == 201, response.text
    order = response.json()
    assert (order["status"], order["total"]) == ("pending_payment", "89.80")
    return order


def read(api_key: str, order_id: str) -> dict:
    response = requests.get(f"{SALES_API_URL}/api/orders/{order_id}", timeout=10,
                            headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 200, response.text
    return response.json()


def settled(api_key: str, order_id: str) -> dict:
    return wait_for(lambda: (order := read(api_key, order_id))["status"] != "pending_payment"
                    and order, SETTLE_S, f"order {order_id} to be paid or failed")


def open_courses(email: str) -> set[str]:
    return {course.course for learner in courses_of(email) for course in learner.courses
            if course.open}


def platform_open(email: str) -> bool:
    return any(learner.platform and learner.platform.open for learner in courses_of(email))


def test_a_paid_order_opens_both_courses_and_its_cancellation_closes_them_and_refunds(
        system, api_key):
    email = f"order-{uuid.uuid4().hex[:10]}@example.com"
    window = TopicWindow(*TOPICS)
    try:
        order = place(api_key, email, APPROVED)
        paid = settled(api_key, order["id"])
        assert paid["status"] == "paid", paid
        assert len(paid["purchaseIds"]) == 2 and paid["paidAt"] and paid["card"]["last4"] == "4242"
        held = wait_for(lambda: BOTH_COURSES <= set(h := roles(email, api_key)) and h, SETTLE_S,
                        "PREMIUM_USER, COURSE_XYZ and COURSE_ABCD")
        wait_for(lambda: EFFECTS <= {(topic, event_type) for topic, event_type, record
                                     in window.events() if email in record.values()},
                 SETTLE_S, "this order's events on each topic")
    finally:
        window.close()
    for typed in (APPROVED, APPROVED.replace(" ", "")):
        assert [m.topic() for m in window.carrying(typed)] == []
    assert window.carrying("4242"), "the last four digits (OrderPlaced shows them) are found"
    for role in BOTH_COURSES:
        assert {p["purchaseId"] for p in held[role]["purchases"]} <= set(paid["purchaseIds"])
    wait_for(lambda: open_courses(email) == {"XYZ", "ABCD"} and platform_open(email), SETTLE_S,
             "courses XYZ and ABCD open on the course platform")

    cancelled = requests.post(f"{SALES_API_URL}/api/orders/{order['id']}/cancellation",
                              json={}, timeout=10, headers={"Authorization": f"Bearer {api_key}"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelledAt"]

    left = wait_for(lambda: not BOTH_COURSES & set(h := roles(email, api_key)) and [h],
                    SETTLE_S, "the order's roles to end")
    assert left == [{}]
    wait_for(lambda: not open_courses(email) and not platform_open(email), SETTLE_S,
             "the courses and the platform closed")
    refunded = wait_for(lambda: (o := read(api_key, order["id"]))["refundedAt"] and o, SETTLE_S,
                        "the platform's refund")
    assert refunded["status"] == "cancelled"


def test_a_declined_card_fails_the_order_with_its_reason_and_sells_nothing(
        system, api_key, sales_db):
    email = f"declined-{uuid.uuid4().hex[:10]}@example.com"
    order = place(api_key, email, DECLINED)
    failed = settled(api_key, order["id"])
    assert failed["status"] == "payment_failed", failed
    assert (failed["failureCode"], failed["failureReason"]) == ("card_declined",
                                                                "The card was declined.")
    assert failed["purchaseIds"] == [] and failed["paidAt"] is None
    # The failure commits in the transaction that would have written the purchases: final.
    with sales_db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(purchases)
                                 .where(purchases.c.order_id == order["id"])) == 0
    assert roles(email, api_key) == {}
