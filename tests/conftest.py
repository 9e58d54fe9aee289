"""Session fixtures: the real stack (and, for e2e, the apps) started once, reused if running."""
import pytest


@pytest.fixture(scope="session")
def stack():
    from connectors.stack import ensure_up

    return ensure_up()
