"""Session fixtures: the real stack, and for e2e the apps, started once per test session.

Whatever was already running (e.g. after `make up`) is reused and left running; what the
session started itself is stopped at its end, unless KEEP_STACK=1.
"""
import os

import pytest


@pytest.fixture(scope="session")
def stack():
    from connectors.stack import down, ensure_up, lifecycle

    was_running = all(lifecycle.ours_running(lifecycle.default_settings).values())
    settings = ensure_up()
    yield settings
    if not was_running and os.environ.get("KEEP_STACK") != "1":
        down(settings)


@pytest.fixture(scope="session")
def system(stack):
    from connectors.stack import apps

    started = [a for a in apps.APPS if not apps.running_pid(stack, a)]
    apps.start_apps(stack)
    yield stack
    if started and os.environ.get("KEEP_STACK") != "1":
        apps.stop_apps(stack)
