"""The orders API on the real sales database, through the Flask test client: the 201 and what
it shows of the card (brand and last four, nothing more), the sealed card row, 422 naming the
field, 401/403/404/409, a customer's history newest first and paginated.

This module's OrderPlaced events go to a topic of its own (tests/integration/order_topics.py):
no payment worker charges its orders, so they stay pending_payment with their sealed card, which
the ciphertext and 409 tests rely on. Its orders, customers and product are deleted at the end.
"""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, func, select

from apps.cards.vault import CardVault
from apps.sales_api.adapters.tables import (customers, order_cards, order_items, orders,
                                            payment_attempts, product_roles, products)
from apps.sales_api.app import create_app
from tests.integration.card_numbers import luhn_number, spaced
from tests.integration.order_topics import orders_placed_to_own_topic

pytestmark = pytest.mark.integration
RUN = f"t{uuid.uuid4().hex[:8]}"
THIS_YEAR = datetime.now(timezone.utc).year
ORDER_FIELDS = {"id", "status", "customer", "items", "total", "currency", "card", "createdAt",
                "paidAt", "failureCode", "failureReason", "cancelledAt", "refundedAt",
                "purchaseIds"}


@pytest.fixture(scope="module")
def client(sales_db):
    with orders_placed_to_own_topic("api"):
        app = create_app()
        yield app.test_client()
        app.extensions["sales_engine"].dispose()
    with sales_db.begin() as connection:
        ours = select(orders.c.id).where(orders.c.customer_email.startswith(RUN))
        for table in (order_cards, payment_attempts, order_items):
            connection.execute(delete(table).where(table.c.order_id.in_(ours)))
        connection.execute(delete(orders).where(orders.c.customer_email.startswith(RUN)))
        connection.execute(delete(customers).where(customers.c.email.startswith(RUN)))
        connection.execute(delete(product_roles).where(product_roles.c.product_id.startswith(RUN)))
        connection.execute(delete(products).where(products.c.id.startswith(RUN)))


@pytest.fixture(scope="module")
def writer(api_key):
    return {"Authorization": f"Bearer {api_key}"}


def customer_email() -> str:
    return f"{RUN}-{uuid.uuid4().hex[:8]}@example.com"


def new_order(email: str | None = None, items=None, **card) -> dict:
    return {"customer": {"email": email or customer_email(), "name": "Ana Souza"},
            "items": items or [{"productId": "123456"}, {"productId": "987654"}],
            "card": {"number": "4242 4242 4242 4242", "holder": "ANA SOUZA", "expiryMonth": 12,
                     "expiryYear": THIS_YEAR + 3, "cvc": "123", **card}}


def orders_of(sales_db, email: str) -> int:
    with sales_db.connect() as connection:
        return connection.scalar(select(func.count()).select_from(orders)
                                 .where(orders.c.customer_email == email))


def test_a_placed_order_is_pending_with_its_items_total_and_the_cards_brand_and_last4(
        client, writer):
    number = luhn_number()
    body = new_order(number=spaced(number))
    answer = client.post("/api/orders", json=body, headers=writer)
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()
    assert set(order) == ORDER_FIELDS
    assert (order["status"], order["total"], order["currency"]) == ("pending_payment", "89.80", "BRL")
    assert order["card"] == {"brand": "visa", "last4": number[-4:]}
    assert order["customer"] == body["customer"]
    assert [(i["productId"], i["quantity"], i["unitPrice"], i["amount"]) for i in order["items"]] \
        == [("123456", 1, "49.90", "49.90"), ("987654", 1, "39.90", "39.90")]
    assert sorted(order["items"][0]["roles"]) == ["COURSE_XYZ", "PREMIUM_USER"]
    assert order["purchaseIds"] == [] and order["paidAt"] is None
    text = answer.get_data(as_text=True)
    for shown in (number, spaced(number), number[:12], "ANA SOUZA"):
        assert shown not in text
    read = client.get(f"/api/orders/{order['id']}", headers=writer)
    assert read.status_code == 200 and read.get_json()["total"] == "89.80"
    assert number not in read.get_data(as_text=True)


def test_quantity_is_multiplied_into_the_total(client, writer):
    body = new_order(items=[{"productId": "123456", "quantity": 3}, {"productId": "987654"}])
    order = client.post("/api/orders", json=body, headers=writer).get_json()
    assert order["total"] == "189.60" and order["items"][0]["amount"] == "149.70"


def test_the_card_is_kept_sealed_for_the_order_right_after_placement(client, writer, sales_db):
    number = luhn_number()
    order = client.post("/api/orders", json=new_order(number=spaced(number)),
                        headers=writer).get_json()
    with sales_db.connect() as connection:
        sealed = connection.scalar(select(order_cards.c.ciphertext)
                                   .where(order_cards.c.order_id == order["id"]))
    assert sealed is not None, "no order_cards row right after placement"
    for plain in (number, spaced(number), number[:8], number[-8:]):
        assert plain.encode() not in bytes(sealed)
    # The API's own vault (the stack's development key) opens it, for this order only.
    assert CardVault.from_environment().decrypt(bytes(sealed), order["id"]).number == number


@pytest.fixture(scope="module")
def archived_product(client, writer):
    product_id = f"{RUN}-archived"
    created = client.post("/api/products", headers=writer, json={
        "id": product_id, "name": "Archived", "price": "9.90", "currency": "BRL",
        "roles": ["COURSE_ARCHIVED"], "accessDuration": "P1M"})
    assert created.status_code == 201, created.get_json()
    assert client.delete(f"/api/products/{product_id}", headers=writer).status_code == 200
    return product_id


@pytest.mark.parametrize("spoil, path, rule", [
    (lambda body, _: body["items"].append({"productId": f"{RUN}-nothing"}),
     ("items", "2", "productId"), "does not exist"),
    (lambda body, archived: body["items"].insert(0, {"productId": archived}),
     ("items", "0", "productId"), "archived"),
    (lambda body, _: body["items"][0].update(quantity=0), ("items", "0", "quantity"),
     "greater than or equal to 1"),
    (lambda body, _: body["items"][0].update(quantity=13), ("items", "0", "quantity"),
     "less than or equal to 12"),
    (lambda body, _: body["card"].update(number="4242 4242 4242 4241"), ("card", "number"),
     "Luhn"),
    (lambda body, _: body["card"].update(expiryYear=THIS_YEAR - 1), ("card", "expiryYear"),
     "in the past"),
    (lambda body, _: body["customer"].pop("name"), ("customer", "name"), "Missing data"),
    (lambda body, _: body["customer"].update(name="   "), ("customer", "name"), "blank"),
], ids=["unknown product", "archived product", "quantity 0", "quantity 13", "Luhn",
        "expired", "no customer name", "blank customer name"])
def test_a_field_breaking_a_rule_is_a_422_naming_it_and_writes_nothing(
        client, writer, sales_db, archived_product, spoil, path, rule):
    email = customer_email()
    body = new_order(email)
    spoil(body, archived_product)
    answer = client.post("/api/orders", json=body, headers=writer)
    assert answer.status_code == 422, answer.get_json()
    named = answer.get_json()["errors"]["json"]
    for key in path:
        assert key in named, f"{'.'.join(path)} not named in {answer.get_json()['errors']}"
        named = named[key]
    assert rule in " ".join(named)
    assert orders_of(sales_db, email) == 0


def test_an_expiry_month_passed_this_year_is_named(client, writer):
    now = datetime.now(timezone.utc)
    if now.month == 1:
        pytest.skip("in January no month of this year has passed")
    answer = client.post("/api/orders", json=new_order(expiryYear=now.year,
                                                       expiryMonth=now.month - 1), headers=writer)
    assert answer.status_code == 422
    assert "in the past" in answer.get_json()["errors"]["json"]["card"]["expiryMonth"][0]


def test_placing_needs_a_key_with_orders_write(client, make_api_key, sales_db):
    email = customer_email()
    assert client.post("/api/orders", json=new_order(email)).status_code == 401
    reader = {"Authorization": f"Bearer {make_api_key(f'{RUN}-reader', ['orders:read'])}"}
    refused = client.post("/api/orders", json=new_order(email), headers=reader)
    assert refused.status_code == 403 and "orders:write" in refused.get_json()["message"]
    assert orders_of(sales_db, email) == 0


def test_reading_needs_orders_read_and_an_unknown_order_is_a_404(client, writer, make_api_key):
    order = client.post("/api/orders", json=new_order(), headers=writer).get_json()
    assert client.get(f"/api/orders/{order['id']}").status_code == 401
    placer = {"Authorization": f"Bearer {make_api_key(f'{RUN}-placer', ['orders:write'])}"}
    assert client.get(f"/api/orders/{order['id']}", headers=placer).status_code == 403
    missing = client.get(f"/api/orders/{uuid.uuid4()}", headers=writer)
    assert missing.status_code == 404 and missing.get_json()["code"] == 404
    assert client.post(f"/api/orders/{uuid.uuid4()}/cancellation", json={},
                       headers=writer).status_code == 404


def test_an_order_awaiting_its_payment_cannot_be_cancelled(client, writer):
    order = client.post("/api/orders", json=new_order(), headers=writer).get_json()
    answer = client.post(f"/api/orders/{order['id']}/cancellation", json={}, headers=writer)
    assert answer.status_code == 409
    assert "pending_payment" in answer.get_json()["errors"]["json"]["status"][0]
    assert client.get(f"/api/orders/{order['id']}", headers=writer).get_json()["status"] \
        == "pending_payment"


def test_a_customers_history_is_newest_first_and_paginated(client, writer):
    email = customer_email()
    placed = [client.post("/api/orders", json=new_order(email), headers=writer).get_json()["id"]
              for _ in range(3)]
    first = client.get(f"/api/customers/{email.upper()}/orders?page_size=2", headers=writer)
    assert first.status_code == 200, first.get_json()
    page = first.get_json()
    assert (page["page"], page["pages"], page["total"]) == (1, 2, 3)
    assert [o["id"] for o in page["orders"]] == [placed[2], placed[1]]
    second = client.get(f"/api/customers/{email}/orders?page=2&page_size=2",
                        headers=writer).get_json()
    assert [o["id"] for o in second["orders"]] == [placed[0]]
    nobody = client.get(f"/api/customers/{customer_email()}/orders", headers=writer).get_json()
    assert (nobody["orders"], nobody["total"]) == ([], 0)
