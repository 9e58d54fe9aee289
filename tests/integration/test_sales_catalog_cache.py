"""The sales API's catalogue cache on the real database: changes reach the next requests.

Products, roles and keys are changed behind the API's back with plain SQL, as an operator
would; the triggers' NOTIFY must clear the cache of the running app. Every wait polls with a
deadline. The test's own rows are removed at the end. One test also checks, on the same WAL
view, that the real purchase repository tracks a loaded purchase so a cancellation publishes.
"""
import uuid

import pytest
from sqlalchemy import event, text

from apps.sales_api.app import create_app
from apps.sales_api.service.auth import hash_key
from tests.integration.polling import wait_for

pytestmark = pytest.mark.integration
DEV_KEY = "318440fb7491"


def sent(app, request) -> tuple[object, list[str]]:
    """What `request()` returned and the first words of each statement the app sent meanwhile."""
    engine, statements = app.extensions["sales_engine"], []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        return request(), statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(scope="module")
def app(stack):
    app = create_app()
    app.test_client().get("/openapi.json")  # the first request starts the listener
    wait_for(app.extensions["sales_catalog"].live, what="the catalogue listener")
    yield app
    app.extensions["sales_catalog_listener"].stop()


@pytest.fixture
def service_key(sales_db):
    key = uuid.uuid4().hex
    with sales_db.begin() as c:
        c.execute(text("INSERT INTO service_keys (name, key_sha256) VALUES ('cache test', :d)"),
                  {"d": hash_key(key)})
    yield key
    with sales_db.begin() as c:
        c.execute(text("DELETE FROM service_keys WHERE key_sha256 = :d"), {"d": hash_key(key)})


def cancel_status(client, key: str) -> int:
    """401 for an unknown key; 404 (nothing to cancel) once the key is accepted."""
    return client.post("/api/cancellations", json={
        "serviceKey": key, "buyerEmail": f"{uuid.uuid4().hex[:8]}@example.com",
        "productId": "123456"}).status_code


def accepted_from_memory(app, key: str) -> bool:
    status, statements = sent(app, lambda: cancel_status(app.test_client(), key))
    return status == 404 and not any(s.startswith("SELECT service_keys") for s in statements)


def test_a_deleted_key_is_refused_by_the_next_requests(app, sales_db, service_key):
    client = app.test_client()
    wait_for(lambda: accepted_from_memory(app, service_key), what="the key to be cached")
    with sales_db.begin() as c:
        c.execute(text("DELETE FROM service_keys WHERE key_sha256 = :d"), {"d": hash_key(service_key)})
    wait_for(lambda: cancel_status(client, service_key) == 401, what="the deleted key to be refused")


def test_a_change_while_the_listener_is_down_is_not_served_stale(app, sales_db, service_key):
    client, listener = app.test_client(), app.extensions["sales_catalog_listener"]
    wait_for(lambda: accepted_from_memory(app, service_key), what="the key to be cached")
    first_backend = listener.backend_pid
    with sales_db.begin() as c:  # drop the listening connection, then change what it would hear of
        c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_backend})
        c.execute(text("DELETE FROM service_keys WHERE key_sha256 = :d"), {"d": hash_key(service_key)})
    wait_for(lambda: listener.backend_pid not in (None, first_backend) and app.extensions["sales_catalog"].live(),
             what="the listener to reconnect")
    assert cancel_status(client, service_key) == 401
    assert cancel_status(client, service_key) == 401


@pytest.fixture
def product(sales_db):
    """A throwaway product with one role; its purchases and rows are removed afterwards."""
    product_id, role = f"cache-{uuid.uuid4().hex[:8]}", f"ROLE_{uuid.uuid4().hex[:8].upper()}"
    with sales_db.begin() as c:
        c.execute(text("INSERT INTO products (id, name, description, price, currency, "
                       "access_duration) VALUES (:p, 'cache test', '', 1, 'BRL', 'P1D')"),
                  {"p": product_id})
        c.execute(text("INSERT INTO product_roles VALUES (:p, :r)"), {"p": product_id, "r": role})
    yield product_id, role
    with sales_db.begin() as c:
        for table in ("purchases", "product_roles"):
            c.execute(text(f"DELETE FROM {table} WHERE product_id = :p"), {"p": product_id})
        c.execute(text("DELETE FROM products WHERE id = :p"), {"p": product_id})


def test_a_cancellation_publishes_its_event_unasked(app, outbox_wal):
    """The real purchase repository tracks the purchase it loads, so its event is collected."""
    client, buyer = app.test_client(), f"{uuid.uuid4().hex[:8]}@example.com"
    body = {"serviceKey": DEV_KEY, "buyerEmail": buyer, "productId": "123456"}
    assert client.post("/api/purchases", json=body).status_code == 201
    assert client.post("/api/cancellations", json=body).status_code == 200

    def rows_of_buyer():
        rows = [d for d in outbox_wal() if buyer.encode().hex() in d]
        return rows if len(rows) == 2 else None

    completed, cancelled = wait_for(rows_of_buyer, what="both outbox rows of the buyer")
    assert "PurchaseCompleted" in completed and "PurchaseCancelled" in cancelled


def roles_granted_by_a_purchase(client, outbox_wal, product_id, roles) -> set[str]:
    """Buys the product; returns which of `roles` the purchase's PurchaseCompleted event names."""
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    body = {"serviceKey": DEV_KEY, "buyerEmail": buyer, "productId": product_id}
    assert client.post("/api/purchases", json=body).status_code == 201
    [line] = wait_for(lambda: [d for d in outbox_wal() if buyer.encode().hex() in d],
                      what="the purchase's outbox row")
    return {role for role in roles if role.encode().hex() in line}


def test_changed_roles_are_granted_by_the_next_purchases(app, sales_db, product, outbox_wal):
    client, (product_id, old_role), new_role = app.test_client(), product, f"ROLE_{uuid.uuid4().hex[:8].upper()}"
    both = (old_role, new_role)
    assert roles_granted_by_a_purchase(client, outbox_wal, product_id, both) == {old_role}
    with sales_db.begin() as c:
        c.execute(text("UPDATE product_roles SET role = :r WHERE product_id = :p"), {"r": new_role, "p": product_id})
    wait_for(lambda: roles_granted_by_a_purchase(client, outbox_wal, product_id, both) == {new_role},
             what="purchases to grant the new role")


def test_a_purchase_with_a_warm_cache_sends_only_its_writes(app):
    """Key, product and roles come from memory; earlier tests' notifications may still arrive."""
    client = app.test_client()
    body = {"serviceKey": DEV_KEY, "buyerEmail": "warm@example.com", "productId": "123456"}
    writes = ["INSERT INTO purchases", "INSERT INTO outbox", "DELETE FROM outbox"]
    last = []

    def a_purchase_sends_only_writes() -> bool:
        response, last[:] = sent(app, lambda: client.post("/api/purchases", json=body))
        assert response.status_code == 201
        return last == writes

    try:
        wait_for(a_purchase_sends_only_writes, what=f"a purchase sending only {writes}")
    except AssertionError as error:
        raise AssertionError(f"{error}; the last one sent {last}") from None
