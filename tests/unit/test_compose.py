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
