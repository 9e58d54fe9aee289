"""Bad input on the real sales database: a 4xx naming the field or rule, and nothing written.

Every request carries a buyer address with a fresh tag; "nothing written" means the buyer's
purchases (matched by the tag, so a refused address with a NUL in it counts too) are exactly
what they were before the request.
"""
import json
import uuid

import pytest
from sqlalchemy import select

from apps.sales_api.adapters.tables import purchases
from apps.sales_api.app import create_app
from apps.settings import database_url
from apps.web.limits import MAX_BODY_BYTES

pytestmark = pytest.mark.integration
KEY = "318440fb7491"


@pytest.fixture(scope="module")
def client(sales_db):
    app = create_app()
    yield app.test_client()
    app.extensions["sales_catalog_listener"].stop()


def rows_of(engine, tag: str) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return sorted(connection.execute(
            select(purchases.c.buyer_email, purchases.c.status)
            .where(purchases.c.buyer_email.like(f"%{tag}%"))).all())


def valid(email: str) -> dict:
    return {"serviceKey": KEY, "buyerEmail": email, "productId": "123456"}


def as_json(body: dict) -> tuple[str, str]:
    return json.dumps(body), "application/json"


def deeply_nested(email: str) -> tuple[str, str]:
    text, media = as_json(valid(email))
    return text[:-1] + ', "x": ' + "[" * 1000 + "]" * 1000 + "}", media


def huge_number(email: str) -> tuple[str, str]:
    text, media = as_json(valid(email))
    return text[:-1] + ', "x": ' + "9" * 5000 + "}", media


# Each case: the request (body, media type) made from a buyer address, the status, and the
# field or rule the answer must name.
CASES = {
    "nul in productId": (lambda e: as_json({**valid(e), "productId": "123\x00456"}), 422, "productId"),
    "nul in serviceKey": (lambda e: as_json({**valid(e), "serviceKey": KEY + "\x00"}), 422, "serviceKey"),
    "nul in buyerEmail": (lambda e: as_json(valid(e.replace("@", "\x00@"))), 422, "buyerEmail"),
    "escape in productId": (lambda e: as_json({**valid(e), "productId": "\x1b[2J"}), 422, "productId"),
    "lone surrogate": (lambda e: as_json({**valid(e), "productId": "\ud800"}), 422, "productId"),
    "e-mail of 5 KB": (lambda e: as_json(valid("a" * 5000 + e)), 422, "buyerEmail"),
    "e-mail of 255 chars": (lambda e: as_json(valid("a" * (255 - len(e)) + e)), 422, "buyerEmail"),
    "local part of 65": (lambda e: as_json(valid("a" * (65 - e.index("@")) + e)), 422, "buyerEmail"),
    "long serviceKey": (lambda e: as_json({**valid(e), "serviceKey": KEY * 11}), 422, "serviceKey"),
    "unknown field": (lambda e: as_json({**valid(e), "discount": 100}), 422, "discount"),
    "nesting of 1000": (deeply_nested, 400, "nested deeper than 32"),
    "number of 5000 digits": (huge_number, 400, "4300 digits"),
    "text/plain": (lambda e: (as_json(valid(e))[0], "text/plain"), 415, "application/json"),
    "body over 1 MB": (lambda e: (as_json(valid(e))[0] + " " * MAX_BODY_BYTES, "application/json"),
                       413, f"larger than {MAX_BODY_BYTES} bytes"),
}


def assert_names(response, status: int, name: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert name in body["message"] and name in json.dumps(body["errors"]), body


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_purchase_names_the_field_or_rule_and_writes_nothing(client, sales_db, case):
    tag = uuid.uuid4().hex[:12]
    data, content_type = CASES[case][0](f"{tag}@example.com")
    response = client.post("/api/purchases", data=data, content_type=content_type)
    assert_names(response, CASES[case][1], CASES[case][2])
    assert rows_of(sales_db, tag) == []


@pytest.mark.parametrize("case", ["nul in productId", "nul in buyerEmail", "unknown field",
                                  "nesting of 1000", "text/plain", "body over 1 MB"])
def test_a_bad_cancellation_names_the_field_or_rule_and_cancels_nothing(client, sales_db, case):
    tag = uuid.uuid4().hex[:12]
    email = f"{tag}@example.com"
    assert client.post("/api/purchases", json=valid(email)).status_code == 201
    data, content_type = CASES[case][0](email)
    response = client.post("/api/cancellations", data=data, content_type=content_type)
    assert_names(response, CASES[case][1], CASES[case][2])
    assert rows_of(sales_db, tag) == [(email, "completed")]


def test_spaces_and_capitals_make_the_same_buyer(client, sales_db):
    tag = uuid.uuid4().hex[:12]
    bought = client.post("/api/purchases", json=valid(f"  Buyer.{tag.upper()}@Example.COM "))
    assert bought.status_code == 201 and bought.get_json()["buyerEmail"] == f"buyer.{tag}@example.com"
    cancelled = client.post("/api/cancellations", json=valid(f"buyer.{tag}@example.com"))
    assert cancelled.status_code == 200 and cancelled.get_json()["id"] == bought.get_json()["id"]
    assert rows_of(sales_db, tag) == [(f"buyer.{tag}@example.com", "cancelled")]
