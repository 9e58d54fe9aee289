"""Changing a plan on the real sales database, through the Flask test client: the plan a change
leaves must have a price in its currency and above 0, as at creation; anything else is a 422
naming `price` that changes nothing (the fuzzer found PATCH with price 0 answered 500 from the
column's check). Each test's plan is deleted after it."""
import uuid

import pytest
from sqlalchemy import delete

from apps.billing.adapters.tables import plans

pytestmark = pytest.mark.integration


@pytest.fixture
def writer(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def plan(sales_client, writer, sales_db) -> dict:
    """An inactive plan at 10.50 BRL: nobody can subscribe to it."""
    created = sales_client.post("/api/plans", headers=writer, json={
        "id": f"test_{uuid.uuid4().hex[:10]}", "name": "Test plan", "price": "10.50",
        "currency": "BRL", "billing_cycle": "monthly", "roles": ["TEST_ROLE"],
        "status": "inactive"})
    assert created.status_code == 201, created.get_json()
    yield created.get_json()
    with sales_db.begin() as connection:
        connection.execute(delete(plans).where(plans.c.id == created.get_json()["id"]))


@pytest.mark.parametrize("change, rule", [
    ({"price": "0"}, "must be above 0"),
    ({"price": "99999999999"}, "must be at most 9999999999.99"),
    ({"price": "10.555"}, "BRL amounts have at most 2 decimals"),
    ({"currency": "JPY"}, "JPY amounts have at most 0 decimals"),  # 10.50 under the new currency
], ids=["zero", "more digits than the column", "a third decimal", "a currency without cents"])
def test_a_change_leaving_no_valid_price_is_a_422_naming_price_and_changes_nothing(
        sales_client, writer, plan, change, rule):
    answer = sales_client.patch(f"/api/plans/{plan['id']}", headers=writer, json=change)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"]["json"] == {"price": [rule]}
    assert sales_client.get(f"/api/plans/{plan['id']}").get_json() == plan


def test_a_new_currency_with_a_price_it_can_have_is_taken(sales_client, writer, plan):
    answer = sales_client.patch(f"/api/plans/{plan['id']}", headers=writer,
                                json={"currency": "JPY", "price": "1500"})
    assert answer.status_code == 200, answer.get_json()
    assert sales_client.get(f"/api/plans/{plan['id']}").get_json() == {
        **plan, "currency": "JPY", "price": "1500"}
