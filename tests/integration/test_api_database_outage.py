"""The sales API when its database goes away: 503 with Retry-After, nothing written, then back.

The app reaches PostgreSQL through a TCP proxy the test cuts (tests/integration/tcp_proxy.py):
an outage for this app alone, the shared database keeps running.
"""
import uuid

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import make_url

from apps.sales_api.adapters.tables import purchases
from apps.sales_api.app import create_app
from apps.settings import database_url
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration
SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def proxy(stack):
    url = make_url(database_url("sales"))
    proxy = TcpProxy(url.host, url.port).start()
    yield proxy
    proxy.cut()


@pytest.fixture
def app(proxy):
    url = make_url(database_url("sales")).set(port=proxy.port)
    app = create_app(url.render_as_string(hide_password=False))
    yield app
    app.extensions["sales_catalog_listener"].stop()
    app.extensions["sales_engine"].dispose()


def purchase(client, buyer: str):
    return client.post("/api/purchases", json={"serviceKey": "318440fb7491", "buyerEmail": buyer,
                                               "productId": "123456"})


def stored(engine, buyer: str) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(purchases.c.id).where(purchases.c.buyer_email == buyer)).all())


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert set(response.get_json()) == SHAPE and 1 <= int(response.headers["Retry-After"]) <= 10


def test_a_cut_database_is_503_and_ready_says_so_until_it_is_back(app, proxy, sales_db):
    client = app.test_client()
    assert purchase(client, f"{uuid.uuid4().hex[:8]}@example.com").status_code == 201  # pool warm
    assert client.get("/health/ready").status_code == 200

    proxy.cut()
    during = f"{uuid.uuid4().hex[:8]}@example.com"
    assert_unavailable(purchase(client, during))
    assert_unavailable(client.get("/health/ready"))
    assert client.get("/health/live").status_code == 200

    proxy.start()
    after = f"{uuid.uuid4().hex[:8]}@example.com"
    assert purchase(client, after).status_code == 201
    assert client.get("/health/ready").status_code == 200
    assert stored(sales_db, during) == 0 and stored(sales_db, after) == 1


def test_a_connection_dropped_in_flight_is_503_and_writes_nothing(app, proxy, sales_db):
    """The connection breaks between the purchase's checks and its INSERT, as in a restart."""
    client = app.test_client()
    engine = app.extensions["sales_engine"]

    def cut_before_insert(connection, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO PURCHASES"):
            proxy.cut()

    event.listen(engine, "before_cursor_execute", cut_before_insert)
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    try:
        assert_unavailable(purchase(client, buyer))
    finally:
        event.remove(engine, "before_cursor_execute", cut_before_insert)
    proxy.start()
    assert stored(sales_db, buyer) == 0
    assert purchase(client, buyer).status_code == 201  # the pool recovers by itself


def test_an_exhausted_pool_is_503(app):
    """Every connection busy for longer than the pool waits: a 503, not a 500 after 30 s."""
    small = create_engine(app.extensions["sales_engine"].url, pool_size=1, max_overflow=0,
                          pool_timeout=0.2)
    app.extensions["sales_engine"] = small
    with small.connect():  # holds the only connection
        assert_unavailable(purchase(app.test_client(), f"{uuid.uuid4().hex[:8]}@example.com"))
    small.dispose()
