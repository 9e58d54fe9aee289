"""Customers kept in step across services through the running system, events only: an order's
customer becomes an access user (sales.order → access-customers), a change in the access
service reaches the sales copy (access outbox → access.user → sales-customers), and a later
order's name wins in both. No service calls the other; the test reads each one's own API or DB.
"""
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text

from apps.settings import ACCESS_API_URL, SALES_API_URL, database_url
from tests.integration.polling import wait_for

pytestmark = pytest.mark.e2e

APPROVED_CARD = {"number": "4242 4242 4242 4242", "holder": "ANA SOUZA", "expiryMonth": 12,
                 "expiryYear": 2030, "cvc": "123"}


@pytest.fixture(scope="module")
def access_db(stack):
    engine = create_engine(database_url("access"))
    yield engine
    engine.dispose()


def auth(api_key: str) -> dict:
    return {"Authorization": f"Bearer {api_key}"}


def place_order(api_key: str, email: str, name: str) -> None:
    response = requests.post(f"{SALES_API_URL}/api/orders", timeout=10,
                             headers={**auth(api_key), "Idempotency-Key": str(uuid.uuid4())},
                             json={"customer": {"email": email, "name": name},
                                   "items": [{"productId": "123456", "quantity": 1}],
                                   "card": APPROVED_CARD})
    assert response.status_code == 201, response.text


def access_name(api_key: str, email: str):
    """The access user's name, or False while there is no such user."""
    response = requests.get(f"{ACCESS_API_URL}/api/users/{email}", timeout=10,
                            headers=auth(api_key))
    if response.status_code == 404:
        return False
    assert response.status_code == 200, response.text
    return response.json()["name"]


def sales_copy(sales_db, email: str):
    """(name, access version) of the sales service's copy of the customer, or None."""
    with sales_db.connect() as connection:
        row = connection.execute(text("SELECT name, access_version FROM customers "
                                      "WHERE email = :email"), {"email": email}).first()
    return None if row is None else tuple(row)


def access_version(access_db, email: str) -> int:
    """The user's version: +1 with each UserUpdated written, in the same transaction."""
    with access_db.connect() as connection:
        return connection.scalar(text("SELECT version FROM users WHERE email = :email"),
                                 {"email": email})


def test_an_order_and_an_access_rename_converge_in_both_services(system, api_key, sales_db,
                                                                  access_db):
    email = f"e2e-customer-{uuid.uuid4().hex[:10]}@example.com"

    place_order(api_key, email, "Ana")
    wait_for(lambda: access_name(api_key, email) == "Ana", what="the access user named Ana")
    # The access service's UserUpdated comes back to the copy the order wrote: version 1.
    wait_for(lambda: sales_copy(sales_db, email) == ("Ana", 1), what="the sales copy at v1")

    renamed = requests.patch(f"{ACCESS_API_URL}/api/users/{email}", timeout=10,
                             headers=auth(api_key), json={"name": "Ana Souza"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Ana Souza", renamed.text
    wait_for(lambda: sales_copy(sales_db, email) == ("Ana Souza", 2),
             what="the access rename in the sales copy")

    place_order(api_key, email, "Ana S.")
    wait_for(lambda: access_name(api_key, email) == "Ana S.", what="the second order's name")
    wait_for(lambda: sales_copy(sales_db, email) == ("Ana S.", 3), what="the sales copy at v3")

    # Three changes, three events: taking back a name it had announced made none.
    assert access_version(access_db, email) == 3


def test_a_user_named_in_the_access_api_reaches_the_sales_copy_and_a_same_name_is_no_change(
        system, api_key, sales_db, access_db):
    email = f"e2e-customer-{uuid.uuid4().hex[:10]}@example.com"
    created = requests.post(f"{ACCESS_API_URL}/api/users", timeout=10, headers=auth(api_key),
                            json={"email": email, "name": "Bea"})
    assert created.status_code == 201, created.text
    again = requests.patch(f"{ACCESS_API_URL}/api/users/{email}", timeout=10,
                           headers=auth(api_key), json={"name": "Bea"})
    assert again.status_code == 200 and access_version(access_db, email) == 1, again.text
    renamed = requests.patch(f"{ACCESS_API_URL}/api/users/{email}", timeout=10,
                             headers=auth(api_key), json={"name": "Bea Lima"})
    assert renamed.status_code == 200 and access_version(access_db, email) == 2, renamed.text
    wait_for(lambda: sales_copy(sales_db, email) == ("Bea Lima", 2),
             what="the access user's name in the sales copy")
