"""Fixtures of the fuzz tests: buyers with purchases for the happy paths, and one tally per API,
reported (terminal and JSON) when the session ends."""
import time
import uuid

import pytest
import requests

from apps.settings import ACCESS_API_URL, SALES_API_URL
from tests.bench.common import PRODUCTS, SERVICE_KEY
from tests.fuzz.config import EXAMPLES, OUTPUT, SEED
from tests.fuzz.mixes import MANUAL_GRANT, Known
from tests.fuzz.tally import Tally, write_report

VISIBLE_WITHIN_S = 30.0

TALLIES: dict[str, Tally] = {}  # filled by the tests, reported at the end of the session


@pytest.fixture(scope="session")
def known(system, api_key) -> Known:
    """Two fresh buyers, each holding both seeded products, their roles visible in the access API;
    a user to delete, and a live manual grant to end."""
    buyers = tuple(fresh_address() for _ in range(2))
    for buyer in buyers:
        for product in PRODUCTS:
            response = requests.post(f"{SALES_API_URL}/api/purchases", timeout=10, json={
                "serviceKey": SERVICE_KEY, "buyerEmail": buyer, "productId": product})
            assert response.status_code == 201, response.text
    for buyer in buyers:
        wait_for_roles(buyer, api_key)
    deletable = access_post("/api/users", api_key, {"email": fresh_address()})["email"]
    grant = access_post(f"/api/users/{buyers[0]}/grants", api_key, MANUAL_GRANT)
    return Known(api_key=api_key, service_key=SERVICE_KEY, products=PRODUCTS, buyers=buyers,
                 deletable=deletable, grant=(buyers[0], grant["id"]))


def fresh_address() -> str:
    return f"fuzz-{uuid.uuid4().hex[:10]}@example.com"


def access_post(path: str, api_key: str, body: dict) -> dict:
    response = requests.post(f"{ACCESS_API_URL}{path}", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {api_key}"})
    assert response.status_code == 201, response.text
    return response.json()


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
