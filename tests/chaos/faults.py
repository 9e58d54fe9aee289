"""The faults: SIGKILL a program (supervisord must bring it back), or restart PostgreSQL.

Recovery is measured twice: until a purchase made after the fault has reached the access
database (the whole pipeline works again), and until supervisord reports the program RUNNING
(it counts a process as started after START_SECONDS, 3 s) and ready.
"""
import os
import signal
import time
import uuid

import psycopg
import requests

from apps.settings import SALES_API_URL, database_url
from connectors.stack import supervisor
from connectors.stack.programs import APP_NAMES, by_name
from tests.bench.common import SERVICE_KEY

# Each consumer, Connect, Kafka, an API: killed. PostgreSQL: restarted (a SIGKILLed postmaster
# leaves its backends holding shared memory, which is a different failure from a restart).
KILLED = tuple(n for n in APP_NAMES if n.startswith("consumer-")) + ("connect", "kafka",
                                                                     "sales-api")
RESTARTED = ("postgres",)
FAULTS = KILLED + RESTARTED


def access_dsn() -> str:
    return database_url("access").replace("postgresql+psycopg://", "postgresql://")


def inject(settings, name: str) -> tuple[str, int]:
    """The fault, and the pid of the process it ended."""
    pid = supervisor.info(settings, name)["pid"]
    if name in RESTARTED:
        server = supervisor.rpc(settings)
        server.stopProcess(name, True)
        server.startProcess(name, False)
        return "restarted", pid
    os.kill(pid, signal.SIGKILL)
    return "SIGKILL", pid


def wait_for(condition, timeout: float, what: str) -> float:
    """Seconds until `condition()` held; raises TimeoutError naming `what`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what} not within {timeout:.0f}s")
        time.sleep(0.1)
    return time.monotonic() - start


def program_back(settings, name: str, old_pid: int) -> bool:
    """A new process (not the one the fault ended) runs and is ready."""
    info = supervisor.all_info(settings).get(name, {})
    return (info.get("statename") == "RUNNING" and info.get("pid") not in (0, old_pid)
            and by_name(name).ready(settings))


def probe_purchase(run_id: str, deadline_s: float) -> str:
    """A purchase through the sales API, retried with one Idempotency-Key until acknowledged."""
    key, email = str(uuid.uuid4()), f"probe-{run_id}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"serviceKey": SERVICE_KEY, "buyerEmail": email, "productId": "123456"}
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            response = requests.post(f"{SALES_API_URL}/api/purchases", json=body, timeout=5,
                                     headers={"Idempotency-Key": key})
            if response.status_code == 201:
                return response.json()["id"]
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the sales API did not acknowledge a purchase within {deadline_s:.0f}s")


def applied(purchase_id: str) -> bool:
    try:
        with psycopg.connect(access_dsn(), connect_timeout=2) as conn:
            return conn.execute("SELECT 1 FROM grants WHERE source_type = 'purchase' "
                                "AND source_id = %s",
                                (purchase_id,)).fetchone() is not None
    except psycopg.OperationalError:
        return False


def recover(settings, name: str, run_id: str, timeout: float = 180) -> dict:
    """Inject the fault; return how long until a purchase made after it was applied (the
    pipeline works again), and until supervisord reported the program RUNNING and ready."""
    started = time.monotonic()
    how, old_pid = inject(settings, name)
    purchase_id = probe_purchase(run_id, timeout)
    wait_for(lambda: applied(purchase_id), timeout, f"a purchase after the {name} fault applied")
    pipeline_s = time.monotonic() - started
    wait_for(lambda: program_back(settings, name, old_pid), timeout, f"{name} back")
    return {"component": name, "fault": how, "pipeline_back_s": round(pipeline_s, 2),
            "process_back_s": round(time.monotonic() - started, 2)}
