"""The catalogue on the real sales database: create, read, list, change, archive; what a sale
keeps; 401/403/404/409/422. Every product a test makes has the run's prefix and is deleted at
the end with its purchases and their outbox rows."""
import uuid

import pytest
from sqlalchemy import delete, select, text

from apps.sales_api.adapters.tables import product_roles, products, purchases
from apps.sales_api.app import create_app
from tests.bench.common import SERVICE_KEY

pytestmark = pytest.mark.integration
RUN = f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def client(sales_db):
    app = create_app()
    yield app.test_client()
    with sales_db.begin() as connection:
        ours = products.c.id.startswith(RUN)
        connection.execute(text("DELETE FROM outbox WHERE aggregateid IN (SELECT buyer_email "
                                "FROM purchases WHERE product_id LIKE :run)"), {"run": f"{RUN}%"})
        connection.execute(delete(purchases).where(purchases.c.product_id.startswith(RUN)))
        connection.execute(delete(product_roles).where(product_roles.c.product_id.startswith(RUN)))
        connection.execute(delete(products).where(ours))
    app.extensions["sales_engine"].dispose()


@pytest.fixture
def writer(api_key):
    return {"Authorization": f"Bearer {api_key}"}


def product(suffix: str = "", **fields) -> dict:
    return {"id": f"{RUN}-{suffix or uuid.uuid4().hex[:6]}", "name": "Five seconds",
            "price": "9.90", "currency": "BRL", "roles": ["COURSE_FAST", "PREMIUM_USER"],
            "accessDuration": "PT5S", **fields}


def test_a_created_product_reads_back_and_is_listed(client, writer):
    body = product(description="A very short course.")
    created = client.post("/api/products", json=body, headers=writer)
    assert created.status_code == 201, created.get_json()
    expected = {**body, "active": True}
    assert created.get_json() == expected
    assert client.get(f"/api/products/{body['id']}").get_json() == expected
    assert expected in client.get("/api/products").get_json()["products"]


def test_a_json_number_price_keeps_its_written_digits(client, writer):
    body = product(price=0.1)  # 0.1 as a binary float is 0.1000000000000000055...
    assert client.post("/api/products", json=body, headers=writer).get_json()["price"] == "0.10"


def test_a_sale_keeps_the_roles_and_duration_it_was_sold_with(client, writer, sales_db):
    body = product()
    client.post("/api/products", json=body, headers=writer)
    sale = client.post("/api/purchases", json={"serviceKey": SERVICE_KEY, "productId": body["id"],
                                               "buyerEmail": f"{RUN}@example.com"})
    assert sale.status_code == 201, sale.get_json()
    changed = client.patch(f"/api/products/{body['id']}", headers=writer,
                           json={"roles": ["COURSE_OTHER"], "accessDuration": "P1Y",
                                 "price": "99.00"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["roles"] == ["COURSE_OTHER"]
    with sales_db.connect() as connection:
        kept = connection.execute(select(purchases.c.roles, purchases.c.access_duration)
                                  .where(purchases.c.id == sale.get_json()["id"])).one()
    assert (sorted(kept.roles), kept.access_duration) == (["COURSE_FAST", "PREMIUM_USER"], "PT5S")


def test_an_archived_product_is_not_sold_nor_listed_but_still_readable(client, writer):
    body = product()
    client.post("/api/products", json=body, headers=writer)
    archived = client.delete(f"/api/products/{body['id']}", headers=writer)
    assert archived.status_code == 200 and archived.get_json()["active"] is False
    sale = client.post("/api/purchases", json={"serviceKey": SERVICE_KEY, "productId": body["id"],
                                               "buyerEmail": f"{RUN}@example.com"})
    assert sale.status_code == 422
    assert "archived" in sale.get_json()["errors"]["json"]["productId"][0]
    ids = [p["id"] for p in client.get("/api/products").get_json()["products"]]
    assert body["id"] not in ids
    everything = client.get("/api/products?includeArchived=true", headers=writer).get_json()
    assert body["id"] in [p["id"] for p in everything["products"]]
    assert client.get(f"/api/products/{body['id']}").get_json()["active"] is False
    restored = client.patch(f"/api/products/{body['id']}", json={"active": True}, headers=writer)
    assert restored.get_json()["active"] is True


def test_changes_need_a_key_with_catalog_write(client, writer):
    body = product()
    assert client.post("/api/products", json=body).status_code == 401
    assert client.get("/api/products?includeArchived=true").status_code == 401
    assert client.post("/api/products", json=body, headers=writer).status_code == 201
    assert client.post("/api/products", json=body, headers=writer).status_code == 409
    assert client.patch(f"/api/products/{RUN}-missing", json={"name": "x"},
                        headers=writer).status_code == 404
    assert client.get(f"/api/products/{RUN}-missing").status_code == 404


@pytest.mark.parametrize("field, value, rule", [
    ("accessDuration", "1 month", "ISO 8601 duration"),
    ("accessDuration", "P0D", "longer than zero"),
    ("price", "9.999", "at most 2 decimals"),
    ("price", "-1", "at least 0"),
    ("price", "NaN", "at least 0"),
    ("price", True, "decimal amount"),
    ("currency", "XYZ", "Must be one of"),
    ("roles", ["course xyz"], "upper-case"),
    ("roles", [], "Length must be between"),
    ("id", "bad id", "letters, digits"),
])
def test_bad_fields_are_refused_naming_the_field(client, writer, field, value, rule):
    answer = client.post("/api/products", json=product(**{field: value}), headers=writer)
    assert answer.status_code == 422, answer.get_json()
    assert rule in str(answer.get_json()["errors"]["json"][field])


def test_a_price_change_is_checked_against_the_kept_currency(client, writer):
    body = product(currency="JPY", price="500")
    assert client.post("/api/products", json=body, headers=writer).status_code == 201
    answer = client.patch(f"/api/products/{body['id']}", json={"price": "5.50"}, headers=writer)
    assert answer.status_code == 422
    assert "JPY amounts have at most 0 decimals" in answer.get_json()["errors"]["json"]["price"][0]
