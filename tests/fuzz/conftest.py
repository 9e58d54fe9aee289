"""Fixtures of the fuzz tests: buyers with purchases, a paid order, subscriptions, a charge and
disposable records for the happy paths, and one tally per API, reported (terminal and JSON) when
the session ends."""
import time

import pytest
import requests

from apps.billing.settings import webhook_secret
from apps.settings import ACCESS_API_URL, SALES_API_URL
from tests.bench.common import PRODUCTS, SERVICE_KEY
from tests.fuzz.config import EXAMPLES, OUTPUT, SEED
from tests.fuzz.bodies import (MANUAL_GRANT, fresh_address, fresh_request_id, new_order, new_plan,
                               new_product, new_subscription)
from tests.fuzz.mixes import Known
from tests.fuzz.tally import Tally, write_report

VISIBLE_WITHIN_S = 30.0
PAID_WITHIN_S = 60.0  # the payment worker charges a new order within seconds

TALLIES: dict[str, Tally] = {}  # filled by the tests, reported at the end of the session


@pytest.fixture(scope="session")
def known(system, api_key) -> Known:
    """Two fresh buyers, each holding both seeded products, their roles visible in the access API;
    a user to delete, a live manual grant to end, a product to change and archive, a paid order
    to read and cancel, an inactive plan to change, a subscription charged once (to read, charge
    again, upgrade and pay by webhook) and another to cancel."""
    buyers = tuple(fresh_address() for _ in range(2))
    for buyer in buyers:
        for product in PRODUCTS:
            response = requests.post(f"{SALES_API_URL}/api/purchases", timeout=10, json={
                "serviceKey": SERVICE_KEY, "buyerEmail": buyer, "productId": product})
            assert response.status_code == 201, response.text
    order = created(SALES_API_URL, "/api/orders", api_key, new_order())
    for buyer in buyers:
        wait_for_roles(buyer, api_key)
    deletable = created(ACCESS_API_URL, "/api/users", api_key, {"email": fresh_address()})["email"]
    grant = created(ACCESS_API_URL, f"/api/users/{buyers[0]}/grants", api_key, MANUAL_GRANT)
    product = created(SALES_API_URL, "/api/products", api_key, new_product())
    plan = created(SALES_API_URL, "/api/plans", api_key, new_plan())
    subscription, cancellable = (created(SALES_API_URL, "/api/subscriptions", api_key,
                                         new_subscription())["subscription_id"] for _ in range(2))
    # Charged at the running stack's fake payment platform: 201, whatever it decides.
    charge = created(SALES_API_URL, f"/api/subscriptions/{subscription}/charges/"
                                    f"{fresh_request_id()}", api_key)
    wait_until_paid(order["id"], api_key)
    return Known(api_key=api_key, service_key=SERVICE_KEY, products=PRODUCTS, buyers=buyers,
                 deletable=deletable, grant=(buyers[0], grant["id"]),
                 disposable_product=product["id"], order=order["id"],
                 customer=order["customer"]["email"], disposable_plan=plan["id"],
                 subscription=subscription, charge=charge["request_id"], cancellable=cancellable,
                 webhook_secret=webhook_secret())


def created(api_url: str, path: str, api_key: str, body: dict | None = None) -> dict:
    """POSTs `body` (none: no body at all) and expects 201."""
    response = requests.post(f"{api_url}{path}", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 201, response.text
    return response.json()


def wait_until_paid(order_id: str, api_key: str) -> None:
    url, deadline = f"{SALES_API_URL}/api/orders/{order_id}", time.monotonic() + PAID_WITHIN_S
    while time.monotonic() < deadline:
        response = requests.get(url, timeout=10, headers={"Authorization": f"Bearer {api_key}"})
        assert response.status_code == 200, response.text
        status = response.json()["status"]
        if status == "paid":
            return
        assert status == "pending_payment", f"order {order_id} is {status}: {response.text}"
        time.sleep(0.2)
    pytest.fail(f"order {order_id} was not paid within {PAID_WITHIN_S} s")


def wait_for_roles(buyer: str, api_key: str) -> None:
    url, deadline = f"{ACCESS_API_URL}/api/users/{buyer}/roles", time.monotonic() + VISIBLE_WITHIN_S
    while time.monotonic() < deadline:
        response = requests.get(url, timeout=10, headers={"Authorization": f"Bearer {api_key}"})
        if response.status_code == 200:
            return
        time.sleep(0.2)
    pytest.fail(f"the roles of {buyer} did not reach the access API within {VISIBLE_WITHIN_S} s")


@pytest.fixture(scope="session")
def tallies() -> dict[str, Tally]:
    return TALLIES


def pytest_terminal_summary(terminalreporter):
    if not TALLIES:
        return
    terminalreporter.section("fuzz")
    terminalreporter.write_line(f"seed {SEED}, at most {EXAMPLES} requests per operation")
    for tally in TALLIES.values():
        terminalreporter.write_line(tally.line())
    write_report(OUTPUT, list(TALLIES.values()), {"seed": SEED, "max_examples": EXAMPLES})
    terminalreporter.write_line(f"counts in {OUTPUT}")
