"""The running system: HTTP in, outbox, WAL, Debezium, Kafka, consumer, access API out."""
import time
import uuid

import pytest
import requests

from apps.settings import ACCESS_API_URL, SALES_API_URL

pytestmark = pytest.mark.e2e
DEV_KEY = "318440fb7491"


def post(path: str, buyer: str, product_id: str) -> requests.Response:
    return requests.post(f"{SALES_API_URL}{path}", timeout=10,
                         json={"serviceKey": DEV_KEY, "buyerEmail": buyer, "productId": product_id})


def roles(buyer: str, api_key: str) -> dict[str, dict]:
    response = requests.get(f"{ACCESS_API_URL}/api/users/{buyer}/roles", timeout=10,
                            headers={"Authorization": f"Bearer {api_key}"})
    if response.status_code == 404:
        return {}
    response.raise_for_status()
    return {r["role"]: r for r in response.json()["roles"]}


def wait_for_roles(buyer: str, api_key: str, condition, seconds: float = 30.0) -> dict[str, dict]:
    deadline, held = time.monotonic() + seconds, {}
    while time.monotonic() < deadline:
        held = roles(buyer, api_key)
        if condition(held):
            return held
        time.sleep(0.2)
    pytest.fail(f"roles of {buyer} never met the condition; last seen: {sorted(held)}")


def test_the_readme_purchase_grants_premium_and_course_xyz(system, api_key):
    response = post("/api/purchases", "any@email.com", "123456")
    assert response.status_code == 201, response.text
    purchase = response.json()
    assert purchase["status"] == "completed" and purchase["productId"] == "123456"
    held = wait_for_roles("any@email.com", api_key, lambda h: all(
        purchase["id"] in {p["purchaseId"] for p in h.get(role, {}).get("purchases", [])}
        for role in ("PREMIUM_USER", "COURSE_XYZ")))
    assert {"PREMIUM_USER", "COURSE_XYZ"} <= set(held)


def test_cancelling_one_of_two_products_keeps_the_shared_role(system, api_key):
    buyer = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    xyz = post("/api/purchases", buyer, "123456")
    abcd = post("/api/purchases", buyer, "987654")
    assert (xyz.status_code, abcd.status_code) == (201, 201)
    wait_for_roles(buyer, api_key, lambda h: set(h) == {"PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD"})

    cancelled = post("/api/cancellations", buyer, "123456")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["id"] == xyz.json()["id"]
    held = wait_for_roles(buyer, api_key, lambda h: "COURSE_XYZ" not in h)
    assert set(held) == {"PREMIUM_USER", "COURSE_ABCD"}
    assert [p["purchaseId"] for p in held["PREMIUM_USER"]["purchases"]] == [abcd.json()["id"]]


def test_cancelling_without_a_live_purchase_is_404_and_unknown_users_have_no_roles(system, api_key):
    buyer = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    response = post("/api/cancellations", buyer, "123456")
    assert response.status_code == 404 and "productId" in response.json()["errors"]["json"]
    url = f"{ACCESS_API_URL}/api/users/{buyer}/roles"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, timeout=10, headers={"Authorization": f"Bearer {api_key}"}).status_code == 404


def stopped(status: dict) -> bool:
    return status["connector"]["state"] == "STOPPED" and not status.get("tasks")


def test_purchases_made_while_the_connector_is_stopped_arrive_when_it_is_back(system, api_key):
    """The replication slot keeps WAL while Debezium is away: nothing written is lost."""
    connector = f"{system.connect_url}/connectors/sales-outbox"
    buyer = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    assert requests.put(f"{connector}/stop", timeout=10).status_code in (202, 204)
    try:
        deadline = time.monotonic() + 30
        # STOPPED is reported for the connector before its task has shut down: wait for both.
        while not stopped(requests.get(f"{connector}/status", timeout=10).json()):
            assert time.monotonic() < deadline, "connector did not stop"
            time.sleep(0.2)
        assert post("/api/purchases", buyer, "987654").status_code == 201
        time.sleep(2)  # long enough for a running connector to have delivered it
        assert roles(buyer, api_key) == {}, "delivered although the connector was stopped"
    finally:
        assert requests.put(f"{connector}/resume", timeout=10).status_code in (202, 204)
    wait_for_roles(buyer, api_key, lambda h: set(h) == {"PREMIUM_USER", "COURSE_ABCD"}, seconds=60)
