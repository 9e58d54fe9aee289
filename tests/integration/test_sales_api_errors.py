"""Sales API errors on the real database: the right status, the field named, nothing written."""
import uuid

import pytest
from sqlalchemy import create_engine, func, select

from apps.sales_api.adapters.tables import purchases
from apps.sales_api.app import create_app
from apps.settings import database_url

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(stack):
    return create_app().test_client()


def purchase_count(buyer: str) -> int:
    engine = create_engine(database_url("sales"))
    with engine.connect() as c:
        count = c.scalar(select(func.count()).select_from(purchases).where(purchases.c.buyer_email == buyer))
    engine.dispose()
    return count


def body(buyer, **changes):
    return {"serviceKey": "318440fb7491", "buyerEmail": buyer, "productId": "123456", **changes}


@pytest.mark.parametrize("changes, status, field", [
    ({"serviceKey": "000000000000"}, 401, "serviceKey"),
    ({"productId": "111111"}, 404, "productId"),
    ({"buyerEmail": "not-an-email"}, 422, "buyerEmail"),
    ({"productId": None}, 422, "productId"),
    ({"surprise": 1}, 422, "surprise"),
])
@pytest.mark.parametrize("path", ["/api/purchases", "/api/cancellations"])
def test_bad_requests_name_the_field_and_write_nothing(client, path, changes, status, field):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    payload = {k: v for k, v in body(buyer, **changes).items() if v is not None}
    response = client.post(path, json=payload)
    assert response.status_code == status
    assert field in response.get_json()["errors"]["json"]
    assert purchase_count(buyer) == 0


def test_malformed_json_is_400(client):
    response = client.post("/api/purchases", data='{"serviceKey": ', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["code"] == 400


def test_purchase_then_cancel_then_cancel_again(client):
    buyer = f"{uuid.uuid4().hex[:8]}@Example.com"
    created = client.post("/api/purchases", json=body(buyer))
    assert created.status_code == 201
    assert created.get_json()["buyerEmail"] == buyer.lower()
    assert created.get_json()["status"] == "completed"
    cancelled = client.post("/api/cancellations", json=body(buyer))
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["cancelledAt"]
    assert client.post("/api/cancellations", json=body(buyer)).status_code == 404


def test_openapi_documents_both_endpoints_and_their_errors(client):
    spec = client.get("/openapi.json").get_json()
    responses = spec["paths"]["/api/purchases"]["post"]["responses"]
    assert {"201", "401", "404", "422"} <= set(responses)
    assert "/api/cancellations" in spec["paths"]
    assert client.get("/docs").status_code == 200
