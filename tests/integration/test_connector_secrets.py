"""Connect keeps only a reference to the database password, and the connector still runs."""
import pytest
import requests

from connectors.stack import connect, connect_rest

pytestmark = pytest.mark.integration


def test_the_stored_connector_config_holds_no_password(stack):
    for path in connect.CONFIG_DIR.glob("*.json"):
        name, _ = connect.load_connector(path, stack)
        stored = requests.get(f"{stack.connect_url}/connectors/{name}/config", timeout=10).json()
        secrets = {k: v for k, v in stored.items() if "password" in k}
        assert secrets == {"database.password":
                           f"${{file:{stack.connect_secrets_file}:{stored['database.user']}.password}}"}
        # The reference resolves: the task could log in and runs.
        assert connect_rest.is_running(connect_rest.connector_status(stack, name))
