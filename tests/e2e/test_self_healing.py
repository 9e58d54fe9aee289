"""The system heals by itself: faults under load, and a purchase retried across a killed API.

The short version of `make chaos` (tests/chaos): one round of every fault (each consumer,
Connect, Kafka and the sales API SIGKILLed; PostgreSQL restarted) under a bounded load. Nothing
here restarts anything; supervisord, Connect, the consumers and the clients' retries do.
FAULT_ROUNDS and FAULT_RATE make it longer or heavier.
"""
import os
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests

from apps.settings import SALES_API_URL
from tests.bench.common import SERVICE_KEY
from tests.chaos import faults
from tests.chaos.run import run
from tests.chaos.verify import dsn
from tests.conftest import shown

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "fault-results.json"


def test_every_fault_heals_by_itself_with_nothing_lost_or_applied_twice(system, pytestconfig):
    with shown(pytestconfig):
        summary = run(system, rounds=int(os.environ.get("FAULT_ROUNDS", "1")),
                      rate=float(os.environ.get("FAULT_RATE", "10")), results_file=RESULTS)
    examples = summary["examples"]
    assert summary["acknowledged_writes"] > 0
    assert summary["lost"] == 0, examples["lost"]
    assert summary["duplicated"] == 0, examples["duplicated"]
    assert summary["unapplied"] == 0, examples["unapplied"]
    assert summary["consumer_lag"] == 0
    assert len(summary["recoveries"]) == len(faults.FAULTS) * summary["rounds"]


def purchases_of(email: str) -> int:
    with psycopg.connect(dsn("sales")) as conn:
        return conn.execute("SELECT count(*) FROM purchases WHERE buyer_email = %s",
                            (email,)).fetchone()[0]


def post_purchase(key: str, email: str, timeout: float = 10) -> requests.Response:
    return requests.post(f"{SALES_API_URL}/api/purchases", timeout=timeout,
                         headers={"Idempotency-Key": key},
                         json={"serviceKey": SERVICE_KEY, "buyerEmail": email,
                               "productId": "987654"})


def until_answered(key: str, email: str) -> requests.Response:
    """Retry like a client would after a lost answer: same key, same body, until a 201."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = post_purchase(key, email, timeout=5)
            if response.status_code == 201:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no 201 for {email} within 60 s")


def test_a_purchase_retried_with_its_key_after_a_killed_api_is_one_purchase(system):
    key, email = str(uuid.uuid4()), f"killed-api-{uuid.uuid4().hex[:8]}@example.com"
    first = post_purchase(key, email)
    assert first.status_code == 201
    faults.recover(system, "sales-api", run_id=uuid.uuid4().hex[:8])  # SIGKILL, back, pipeline
    again = until_answered(key, email)
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert purchases_of(email) == 1


def test_purchases_in_flight_when_the_api_is_killed_are_each_made_once(system):
    """Whether each request had committed when the process died or not, its retries with the
    same key end with exactly one purchase."""
    requests_ = [(str(uuid.uuid4()), f"in-flight-{uuid.uuid4().hex[:8]}@example.com")
                 for _ in range(24)]
    started = threading.Barrier(len(requests_) + 1)

    def send(key, email):
        started.wait()
        try:
            post_purchase(key, email, timeout=5)
        except requests.RequestException:
            pass  # the answer was lost: the retry below settles it

    threads = [threading.Thread(target=send, args=r) for r in requests_]
    for thread in threads:
        thread.start()
    started.wait()
    faults.inject(system, "sales-api")
    for thread in threads:
        thread.join()
    answers = [until_answered(key, email) for key, email in requests_]
    assert [purchases_of(email) for _, email in requests_] == [1] * len(requests_)
    assert len({a.json()["id"] for a in answers}) == len(requests_)
