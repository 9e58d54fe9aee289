"""Through both connectors: sales → access (ledger, role events) → access.role → course access.

Expiry is driven by the running scheduler alone: nothing is requested between the sale and the
course closing. The test adds a product whose roles last PT5S through the catalogue API, sells
it through the purchases API, and watches the course open and close.
"""
import uuid

import pytest
import requests
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import create_engine

from apps.course_access.service.access import access_of
from apps.course_access.service.uow import CoursesUnitOfWork
from apps.settings import SALES_API_URL, database_url, kafka_bootstrap
from outbox.codec import decode
from tests.bench.common import SERVICE_KEY
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e

TOPIC = "access.role"


def buy(email: str, product: str, path: str = "/api/purchases") -> dict:
    response = requests.post(SALES_API_URL + path, timeout=10,
                             json={"serviceKey": SERVICE_KEY, "buyerEmail": email,
                                   "productId": product})
    assert response.status_code in (200, 201), response.text
    return response.json()


class RoleEvents:
    """Reads access.role from the offsets it had when created: what the test caused."""

    def __init__(self):
        self.consumer = Consumer({"bootstrap.servers": kafka_bootstrap(),
                                  "group.id": f"e2e-{uuid.uuid4()}", "enable.auto.commit": False})
        partitions = self.consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
        start = []
        for p in partitions:
            _, high = self.consumer.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10)
            start.append(TopicPartition(TOPIC, p, high))
        self.consumer.assign(start)
        self.seen: list[tuple[str, dict]] = []

    def of(self, email: str) -> list[tuple[str, dict]]:
        while (message := self.consumer.poll(0.2)) is not None:
            if not message.error():
                self.seen.append(decode(message.value()))
        return [(t, r) for t, r in self.seen if r["email"] == email]

    def close(self):
        self.consumer.close()


@pytest.fixture
def role_events(system):
    events = RoleEvents()
    yield events
    events.close()


def courses_of(email: str):
    engine = create_engine(database_url("courses"))
    try:
        with CoursesUnitOfWork(engine.connect) as uow:
            found = access_of(uow, email)
    finally:
        engine.dispose()
    return found


@pytest.fixture
def five_second_product(api_key):
    headers = {"Authorization": f"Bearer {api_key}"}
    product_id = f"e2e-pt5s-{uuid.uuid4().hex[:8]}"
    created = requests.post(SALES_API_URL + "/api/products", headers=headers, timeout=10, json={
        "id": product_id, "name": "Five-second course", "price": "1.00", "currency": "BRL",
        "roles": ["COURSE_E2E"], "accessDuration": "PT5S"})
    assert created.status_code == 201, created.text
    yield product_id
    requests.delete(f"{SALES_API_URL}/api/products/{product_id}", headers=headers, timeout=10)


def test_a_pt5s_product_opens_the_course_then_expiry_closes_it_unrequested(
        role_events, five_second_product):
    email = f"expiry-{uuid.uuid4().hex[:8]}@example.com"
    buy(email, five_second_product)

    def course(open_: bool):
        found = courses_of(email)
        return found and any(c.course == "E2E" and c.open == open_ for c in found[0].courses)

    wait_for(lambda: course(True), 30, "course E2E open")
    wait_for(lambda: course(False), 30, "course E2E closed by expiry")
    events = [(t, r["reason"]) for t, r in role_events.of(email) if r["role"] == "COURSE_E2E"]
    assert events == [("RoleGranted", "PURCHASE"), ("RoleRevoked", "EXPIRY")]
    granted, revoked = (r for _, r in role_events.of(email))
    assert revoked["until"] == granted["until"]  # ended at the end the 5-second sale set
    sequences = [r["sequence"] for _, r in role_events.of(email)]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))


def test_cancelling_one_of_two_products_granting_premium_keeps_premium(role_events):
    email = f"two-products-{uuid.uuid4().hex[:8]}@example.com"
    buy(" " + email.upper() + " ", "123456")  # the seed's e-mail form: the same user
    buy(email, "987654")
    wait_for(lambda: len(role_events.of(email)) >= 4, 30, "both sales' role events")
    buy(email, "123456", path="/api/cancellations")
    wait_for(lambda: any(r["role"] == "COURSE_XYZ" and t == "RoleRevoked"
                         for t, r in role_events.of(email)), 30, "COURSE_XYZ revoked")
    premium = [t for t, r in role_events.of(email) if r["role"] == "PREMIUM_USER"]
    assert "RoleRevoked" not in premium and premium[0] == "RoleGranted"
    found = wait_for(lambda: (f := courses_of(email)) and f[0].platform
                     and f[0].platform.open and {c.course for c in f[0].courses if c.open} == {"ABCD"}
                     and f, 30, "platform open with course ABCD only")
    assert len(found) == 1
