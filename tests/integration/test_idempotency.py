"""Idempotency-Key on the real PostgreSQL: a retried purchase is made once, whatever became of
the first try (answered, refused, still in flight, its API killed, its connection lost).

The moment just before a request's commit, the one that matters, is reached for real: the test
holds an uncommitted row with the request's key scope, so the request's own insert of its
answer waits behind it with its purchase and outbox rows written but not committed.
"""
import os
import signal
import socket
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from flask import request
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.engine import make_url

from apps.idempotency.fingerprint import scope_of
from apps.idempotency.store import idempotency_keys, purge_expired
from apps.sales_api.adapters.tables import purchases
from apps.sales_api.app import create_app
from apps.settings import database_url
from tests.integration.polling import wait_for
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration
PATH = "/api/purchases"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def purchase(buyer: str, product_id: str = "123456") -> dict:
    return {"serviceKey": "318440fb7491", "buyerEmail": buyer, "productId": product_id}


def new_buyer() -> str:
    return f"{uuid.uuid4().hex[:8]}@example.com"


def key_header() -> dict:
    return {"Idempotency-Key": str(uuid.uuid4())}


def stop_app(app) -> None:
    app.extensions["sales_catalog_listener"].stop()
    app.extensions["sales_engine"].dispose()


@pytest.fixture(scope="module")
def app(stack):
    app = create_app()
    yield app
    stop_app(app)


def purchases_of(sales_db, buyer: str) -> int:
    with sales_db.connect() as c:
        return c.scalar(select(func.count()).select_from(purchases)
                        .where(purchases.c.buyer_email == buyer))


def scope_for(app, body: dict, headers: dict) -> bytes:
    with app.test_request_context(PATH, method="POST", json=body):
        return scope_of(request, headers["Idempotency-Key"], "serviceKey")


class HeldAnswer:
    """An uncommitted row with the request's scope, so the request waits just before its commit."""

    def __init__(self, sales_db, scope: bytes):
        self.connection = sales_db.connect()
        self.pid = self.connection.scalar(text("SELECT pg_backend_pid()"))
        self.connection.execute(insert(idempotency_keys).values(
            scope=scope, fingerprint=b"", status=0, body=b""))

    def waited_on(self, sales_db) -> bool:
        """Whether a request's insert of its answer is waiting behind this row."""
        with sales_db.connect() as c:
            return bool(c.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid)) "
                "AND query LIKE 'INSERT INTO idempotency_keys%'"), {"pid": self.pid}))

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def once_not_in_flight(send):
    """Sends until the answer is not 409: a dead request's transaction may take a moment to end."""
    def answered():
        answer = send()
        return answer if answer.status_code != 409 else None
    return wait_for(answered, what="the earlier request's transaction to end")


def test_a_retry_gets_the_stored_answer_and_buys_once(app, sales_db, outbox_wal):
    client, buyer, headers = app.test_client(), new_buyer(), key_header()
    first = client.post(PATH, json=purchase(buyer), headers=headers)
    reordered = dict(reversed(list(purchase(buyer).items())))  # the same body, keys in another order
    again = client.post(PATH, json=reordered, headers=headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert (again.status_code, again.get_data()) == (201, first.get_data())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert purchases_of(sales_db, buyer) == 1
    assert len([line for line in outbox_wal() if buyer in line]) == 1, "one PurchaseCompleted"


def test_the_same_key_with_another_body_is_refused_and_does_nothing(app, sales_db):
    client, buyer, headers = app.test_client(), new_buyer(), key_header()
    assert client.post(PATH, json=purchase(buyer), headers=headers).status_code == 201
    other = client.post(PATH, json=purchase(buyer, "987654"), headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["errors"]["headers"]
    assert purchases_of(sales_db, buyer) == 1


def test_the_same_key_from_another_caller_is_another_key(app, sales_db):
    client, buyer, headers = app.test_client(), new_buyer(), key_header()
    assert client.post(PATH, json=purchase(buyer), headers=headers).status_code == 201
    other = client.post(PATH, json=purchase(buyer), headers={**headers, "Authorization": "Bearer x"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert purchases_of(sales_db, buyer) == 2


def test_a_refusal_by_the_view_is_stored_an_invalid_request_leaves_the_key_free(app, sales_db):
    client, buyer, headers = app.test_client(), new_buyer(), key_header()
    unknown = client.post(PATH, json=purchase(buyer, "111111"), headers=headers)
    replayed = client.post(PATH, json=purchase(buyer, "111111"), headers=headers)
    assert (unknown.status_code, replayed.status_code) == (404, 404)
    assert replayed.headers["Idempotent-Replayed"] == "true"

    headers = key_header()
    invalid = client.post(PATH, json={**purchase(buyer), "buyerEmail": "nope"}, headers=headers)
    assert invalid.status_code == 422 and "buyerEmail" in invalid.get_json()["errors"]["json"]
    assert client.post(PATH, json=purchase(buyer), headers=headers).status_code == 201

    malformed = client.post(PATH, json=purchase(buyer), headers={"Idempotency-Key": "x" * 256})
    assert malformed.status_code == 422
    assert "Idempotency-Key" in malformed.get_json()["errors"]["headers"]
    assert purchases_of(sales_db, buyer) == 1


def test_a_request_sent_while_the_first_is_in_flight_gets_409(app, sales_db):
    buyer, headers = new_buyer(), key_header()
    held = HeldAnswer(sales_db, scope_for(app, purchase(buyer), headers))
    with ThreadPoolExecutor(2) as pool:
        try:
            first = pool.submit(app.test_client().post, PATH, json=purchase(buyer), headers=headers)
            wait_for(lambda: held.waited_on(sales_db), what="the first request to reach its commit")
            # In a thread too: were the lock missing, it would wait behind the held row as well.
            second = pool.submit(app.test_client().post, PATH, json=purchase(buyer), headers=headers)
            second = second.result(timeout=30)
        finally:
            held.release()
        first = first.result(timeout=30)
    assert (first.status_code, second.status_code) == (201, 409)
    assert "in flight" in second.get_json()["message"]
    assert purchases_of(sales_db, buyer) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_a_purchase_retried_after_its_api_was_killed_is_made_once(app, sales_db, tmp_path):
    """The issue's acceptance test: a real API process (gunicorn), killed with SIGKILL while
    the purchase is written but not committed; the retry goes to another API process."""
    buyer, headers, port = new_buyer(), key_header(), free_port()
    held = HeldAnswer(sales_db, scope_for(app, purchase(buyer), headers))
    with open(tmp_path / "api.log", "wb") as log:
        api = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "apps.sales_api.app:create_app()"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/openapi.json"), what="the API to start")
        with ThreadPoolExecutor(1) as pool:
            lost = pool.submit(requests.post, f"http://127.0.0.1:{port}{PATH}",
                               json=purchase(buyer), headers=headers, timeout=60)
            wait_for(lambda: held.waited_on(sales_db), what="the purchase to be about to commit")
            os.killpg(api.pid, signal.SIGKILL)  # gunicorn's master and worker: the group we started
            with pytest.raises(requests.ConnectionError):
                lost.result(timeout=30)
    finally:
        held.release()
        if api.poll() is None:
            os.killpg(api.pid, signal.SIGKILL)
        api.wait()
    retry = once_not_in_flight(
        lambda: app.test_client().post(PATH, json=purchase(buyer), headers=headers))
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert purchases_of(sales_db, buyer) == 1


def test_a_request_whose_connection_dies_before_the_commit_is_made_once_on_retry(sales_db):
    url = make_url(database_url("sales"))
    proxy = TcpProxy(url.host, url.port).start()
    app = create_app(url.set(port=proxy.port).render_as_string(hide_password=False))
    engine, buyer, headers = app.extensions["sales_engine"], new_buyer(), key_header()

    def cut_before_storing_the_answer(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO idempotency_keys"):
            proxy.cut()

    event.listen(engine, "before_cursor_execute", cut_before_storing_the_answer)
    try:
        lost = app.test_client().post(PATH, json=purchase(buyer), headers=headers)
        event.remove(engine, "before_cursor_execute", cut_before_storing_the_answer)
        proxy.start()
        retry = once_not_in_flight(
            lambda: app.test_client().post(PATH, json=purchase(buyer), headers=headers))
        again = app.test_client().post(PATH, json=purchase(buyer), headers=headers)
    finally:
        stop_app(app)
        proxy.cut()
    assert lost.status_code == 503 and "Retry-After" in lost.headers
    assert retry.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert purchases_of(sales_db, buyer) == 1


def test_the_purge_deletes_expired_keys_only(sales_db):
    expired, kept = [os.urandom(32) for _ in range(3)], os.urandom(32)
    with sales_db.begin() as c:
        for scope, age in [(s, timedelta(hours=25)) for s in expired] + [(kept, timedelta(hours=23))]:
            c.execute(insert(idempotency_keys).values(scope=scope, fingerprint=b"", status=201,
                                                      body=b"{}", created_at=func.now() - age))
    purge_expired(sales_db, timedelta(hours=24), batch=1)  # several batches
    with sales_db.begin() as c:
        left = set(c.scalars(select(idempotency_keys.c.scope)
                             .where(idempotency_keys.c.scope.in_(expired + [kept]))))
        c.execute(delete(idempotency_keys).where(idempotency_keys.c.scope == kept))
    assert left == {kept}


def test_openapi_documents_the_header_on_every_post(app):
    spec = app.test_client().get("/openapi.json").get_json()
    for path in ("/api/purchases", "/api/cancellations"):
        post = spec["paths"][path]["post"]
        assert {"$ref": "#/components/parameters/IDEMPOTENCY_KEY"} in post["parameters"]
        assert {"409", "422"} <= set(post["responses"])
