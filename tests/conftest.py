"""Session fixtures: the real stack, and for e2e the apps, started once per test session.

Whatever was already running (e.g. after `make up`) is reused and left running; what the
session started itself is stopped at its end, unless KEEP_STACK=1.
"""
import os
from contextlib import contextmanager

import pytest


@contextmanager
def shown(pytestconfig):
    """Let the stack's progress (downloads, waits) reach the terminal despite output capture."""
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(flush=True)
        yield


@pytest.fixture(scope="session")
def stack(pytestconfig):
    from connectors.stack import down, ensure_up, lifecycle

    was_running = lifecycle.infra_running()
    with shown(pytestconfig):
        settings = ensure_up()
    yield settings
    if not was_running and os.environ.get("KEEP_STACK") != "1":
        with shown(pytestconfig):
            down(settings)


@pytest.fixture(scope="session")
def system(stack, pytestconfig):
    from connectors.stack import lifecycle

    with shown(pytestconfig):
        started = lifecycle.start_apps(stack)
    yield stack
    if started and os.environ.get("KEEP_STACK") != "1":
        with shown(pytestconfig):
            lifecycle.stop_apps(stack, started)


@pytest.fixture(scope="session")
def make_api_key(stack):
    """`make_api_key(name, scopes)`: a bearer key in every service's database (e.g. with only a
    client's own scopes); each one made is revoked when the session ends."""
    from apps.api_keys import services

    made = []

    def make(name: str, scopes) -> str:
        key = services.create(services.SERVICES, name, tuple(scopes))
        made.append(key.id)
        return key.key
    yield make
    for key_id in made:
        services.revoke(services.SERVICES, key_id)


@pytest.fixture(scope="session")
def api_key(make_api_key):
    """A bearer key with every scope in every service's database; revoked when the session ends."""
    from apps.api_keys.scopes import SCOPES

    return make_api_key("tests", SCOPES)


@pytest.fixture(scope="session")
def sales_client(stack):
    """A Flask test client of the sales API in this process, on the real sales database: the
    checkout's code, whatever the running API was started from."""
    from apps.sales_api.app import create_app

    app = create_app()
    yield app.test_client()
    app.extensions["sales_engine"].dispose()


@pytest.fixture(scope="session")
def sales_db(stack):
    """An engine on the real sales database, to check what a test wrote (or did not)."""
    from sqlalchemy import create_engine

    from apps.settings import database_url

    # Pre-ping: the fault tests restart PostgreSQL mid-session, leaving pooled connections dead.
    engine = create_engine(database_url("sales"), pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture
def outbox_wal(sales_db):
    """The outbox rows committed while the test runs, as test_decoding lines (payload in hex).

    Read from a throwaway logical replication slot, which is what Debezium reads: the outbox
    table itself stays empty by design.
    """
    import uuid

    from sqlalchemy import text

    slot, seen = f"test_{uuid.uuid4().hex[:12]}", []
    with sales_db.begin() as c:
        c.execute(text("SELECT pg_create_logical_replication_slot(:s, 'test_decoding')"), {"s": slot})

    def lines() -> list[str]:
        with sales_db.begin() as c:
            seen.extend(r.data for r in c.execute(
                text("SELECT data FROM pg_logical_slot_get_changes(:s, NULL, NULL)"), {"s": slot})
                if "public.outbox: INSERT" in r.data)
        return seen

    yield lines
    with sales_db.begin() as c:
        c.execute(text("SELECT pg_drop_replication_slot(:s)"), {"s": slot})
