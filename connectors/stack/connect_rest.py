"""Kafka Connect REST calls about connectors: config, tasks, status."""
import requests

from connectors.stack.procs import StackError
from connectors.stack.settings import Settings


def registered_config(settings: Settings, name: str) -> dict | None:
    response = requests.get(f"{settings.connect_url}/connectors/{name}/config", timeout=10)
    return response.json() if response.status_code == 200 else None


def tasks_have(settings: Settings, name: str, config: dict) -> bool:
    """True once the worker has handed `config` to every task of the connector."""
    try:
        tasks = requests.get(f"{settings.connect_url}/connectors/{name}/tasks", timeout=5).json()
    except (requests.RequestException, ValueError):
        return False
    return isinstance(tasks, list) and bool(tasks) and all(
        all(t["config"].get(k) == v for k, v in config.items()) for t in tasks)


def put_config(settings: Settings, name: str, config: dict) -> bool:
    """PUT creates or replaces the config: safe to repeat. Returns False when it was unchanged
    (no PUT, so a running connector is not restarted for nothing)."""
    current = registered_config(settings, name)
    if current is not None and current == {**config, "name": name}:
        return False
    response = requests.put(f"{settings.connect_url}/connectors/{name}/config", json=config,
                            timeout=60)
    if response.status_code not in (200, 201):
        raise StackError(f"registering connector {name} failed ({response.status_code}): "
                         f"{response.text[:2000]}")
    return True


def connector_status(settings: Settings, name: str) -> dict | None:
    try:
        response = requests.get(f"{settings.connect_url}/connectors/{name}/status", timeout=5)
        return response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None  # a worker busy rebalancing; the caller polls again


def failures(status: dict) -> list[str]:
    """Traces of the connector or its tasks in state FAILED."""
    parts = [status["connector"], *status.get("tasks", [])]
    return [p.get("trace", "(no trace)") for p in parts if p.get("state") == "FAILED"]


def is_running(status: dict | None) -> bool:
    tasks = (status or {}).get("tasks", [])
    return (status is not None and status["connector"]["state"] == "RUNNING" and bool(tasks)
            and all(t["state"] == "RUNNING" for t in tasks))


def connector_lines(settings: Settings) -> list[str]:
    """One line per registered connector for `status`."""
    try:
        names = requests.get(f"{settings.connect_url}/connectors", timeout=5).json()
    except (requests.RequestException, ValueError):
        return []
    lines = []
    for name in sorted(names):
        status = connector_status(settings, name) or {"connector": {"state": "UNKNOWN"}}
        tasks = ", ".join(f"task {t['id']} {t['state']}" for t in status.get("tasks", []))
        lines.append(f"connector {name}: {status['connector']['state']}; {tasks or 'no tasks'}")
    return lines
