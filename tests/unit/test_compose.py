"""docker-compose.yml mirrors the local stack (it cannot run here: no Docker engine)."""
from pathlib import Path

import yaml

from connectors.stack.programs import NAMES

COMPOSE = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())


def test_compose_names_every_service_the_local_stack_runs():
    missing = set(NAMES)
    missing -= set(COMPOSE["services"])
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def test_postgres_has_logical_wal_and_connect_loads_the_debezium_plugin():
    assert "wal_level=logical" in COMPOSE["services"]["postgres"]["command"]
    connect = COMPOSE["services"]["connect"]
    assert any(v.endswith(":/opt/connect-plugins:ro") for v in connect["volumes"])
    for name in ("connect.properties", "init-databases.sql", "app.Dockerfile"):
        assert (Path(__file__).parents[2] / "connectors" / "docker" / name).exists()


def test_every_long_lived_service_restarts_and_has_a_health_check():
    one_shot = {"migrate", "connectors"}
    for name, service in COMPOSE["services"].items():
        if name in one_shot:
            assert service["restart"] == "on-failure", name
            continue
        assert service.get("restart") == "unless-stopped", f"{name} is not restarted when it dies"
        assert "test" in service.get("healthcheck", {}), f"{name} has no health check"


def test_connect_reads_passwords_through_a_config_provider():
    properties = (Path(__file__).parents[2] / "connectors" / "docker" / "connect.properties").read_text()
    assert "config.providers=file" in properties
    for path in (Path(__file__).parents[2] / "connectors").glob("*.json"):
        config = yaml.safe_load(path.read_text())["config"]
        secrets = {k: v for k, v in config.items() if "password" in k}
        assert secrets and all(v.startswith("${file:") for v in secrets.values()), path.name
