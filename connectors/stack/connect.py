"""Registering the Debezium connectors in connectors/*.json with the running Connect worker.

`ensure_connectors(settings)` is idempotent; run it after the migrations (which create the
outbox tables and publications) and before the APIs accept writes.
"""
import json
import re
import time

import psycopg
import requests

from connectors.stack.connect_rest import (connector_status, failures, is_running, put_config,
                                           tasks_have)
from connectors.stack.procs import StackError, say, wait_until
from connectors.stack.settings import REPO_DIR, Settings

CONFIG_DIR = REPO_DIR / "connectors"
# Only UPPER_CASE names are ours; ${routedByValue} belongs to the Event Router.
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def load_connector(path, settings: Settings) -> tuple[str, dict]:
    """(name, config) from a {"name": ..., "config": {...}} file, placeholders filled in."""
    document = json.loads(path.read_text())
    values = settings.placeholders()

    def fill(match):
        if match.group(1) not in values:
            raise StackError(f"{path.name}: unknown placeholder {match.group(0)}")
        return values[match.group(1)]

    config = {k: PLACEHOLDER.sub(fill, str(v)) for k, v in document["config"].items()}
    return document["name"], config


def ensure_slot(settings: Settings, config: dict) -> None:
    """Create the replication slot before the connector exists: with snapshot.mode=no_data,
    changes written before the slot exists are never streamed, so the slot must come first."""
    database, slot = config["database.dbname"], config["slot.name"]
    plugin = config.get("plugin.name", "pgoutput")
    with psycopg.connect(settings.conninfo(database), autocommit=True) as conn:
        if config.get("publication.autocreate.mode") == "disabled":
            publication = config.get("publication.name", "dbz_publication")
            if not conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s",
                                (publication,)).fetchone():
                raise StackError(f"publication {publication} is missing in database {database}: "
                                 "run the migrations first (they create it)")
        if conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s",
                        (slot,)).fetchone():
            return
        conn.execute("SELECT pg_create_logical_replication_slot(%s, %s)", (slot, plugin))
    say(f"connectors: created replication slot {slot} in database {database}")


def wait_running(settings: Settings, name: str, timeout: float = 90, settle: float = 0) -> float:
    """Wait for the connector and all its tasks to be RUNNING (for `settle` seconds in a row).
    A failure is retried once with a restart (it may predate a fix, e.g. a publication created
    since); a second one is fatal."""
    restarted = False
    running_since = None

    def running() -> bool:
        nonlocal restarted
        nonlocal running_since
        status = connector_status(settings, name)
        if is_running(status):
            running_since = running_since or time.monotonic()
            return time.monotonic() - running_since >= settle
        running_since = None
        traces = failures(status) if status else []
        if traces and not restarted:
            requests.post(f"{settings.connect_url}/connectors/{name}/restart",
                          params={"includeTasks": "true", "onlyFailed": "true"}, timeout=10)
            restarted = True
        elif traces:
            first_lines = "\n".join(traces[0].splitlines()[:15])
            raise StackError(f"connector {name} FAILED:\n{first_lines}")
        return False

    return wait_until(running, timeout, what=f"connector {name}")


def ensure_connectors(settings: Settings, worker_restarted: bool = False) -> None:
    """Create slots, register or update every connectors/*.json, wait until all run.

    Pass `worker_restarted` right after starting Connect: until it has started the connectors,
    their status is still the RUNNING that the previous worker left in the status topic.
    """
    for path in sorted(CONFIG_DIR.glob("*.json")):
        name, config = load_connector(path, settings)
        ensure_slot(settings, config)
        changed = put_config(settings, name, config)
        say(f"connectors: {name} {'registered' if changed else 'unchanged'}, waiting for "
            "RUNNING ", end="")
        took = 0.0
        if changed:
            # Until the tasks restart with the new config, the status still shows the old ones.
            took += wait_until(lambda: tasks_have(settings, name, config), 60,
                               what=f"tasks of {name}")
        # A bad password or a missing table fails the task a moment after it first reports
        # RUNNING; after a change, stay a little to catch that here rather than in a test.
        settle = 3 if changed or worker_restarted else 0
        took += wait_running(settings, name, settle=settle)
        print(f" running ({took:.1f}s)", flush=True)
