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
def api_key(stack):
    """A bearer key with every scope in every service's database; revoked when the session ends."""
    from apps.api_keys import services
    from apps.api_keys.scopes import SCOPES

    key = services.create(services.SERVICES, "tests", SCOPES)
    yield key.key
    services.revoke(services.SERVICES, key.id)


@pytest.fixture(scope="session")
def sales_db(stack):
    """An engine on the real sales database, to check what a test wrote (or did not)."""
    from sqlalchemy import create_engine

    from apps.settings import database_url

    engine = create_engine(database_url("sales"))
    yield engine
    engine.dispose()
