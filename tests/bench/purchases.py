"""`make bench`: purchase rate and purchase→role-visible latency on the running system.

Posts N purchases (BENCH_PURCHASES, default 1000) from BENCH_CONCURRENCY threads (default 8) to
the sales API, each for a new buyer. A watcher polls the access database, the one the access
API reads, every few milliseconds for the grants of pending purchases; a purchase's latency
is from its HTTP 201 to the first poll that sees its grants. A sample is re-checked through
the access API itself. Prints the figures and writes them as JSON (BENCH_OUTPUT).
"""
import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import create_engine, text

from apps.settings import ACCESS_API_URL, SALES_API_URL, database_url

N = int(os.environ.get("BENCH_PURCHASES", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
OUTPUT = os.environ.get("BENCH_OUTPUT", "bench-results.json")
TIMEOUT_S = float(os.environ.get("BENCH_TIMEOUT_S", "300"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Watcher(threading.Thread):
    """Records when each pending purchase's grants first become readable."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pending: dict[str, float] = {}  # purchase id -> time of its 201
        self.visible: dict[str, float] = {}
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.engine = create_engine(database_url("access"))

    def created(self, purchase_id: str, at: float) -> None:
        with self.lock:
            self.pending[purchase_id] = at

    def run(self) -> None:
        with self.engine.connect() as connection:
            while not self.done.is_set():
                with self.lock:
                    ids = list(self.pending)
                if ids:
                    rows = connection.execute(text(
                        "SELECT DISTINCT purchase_id FROM grants WHERE purchase_id = ANY(:ids)"),
                        {"ids": ids}).scalars().all()
                    connection.rollback()
                    now = time.monotonic()
                    with self.lock:
                        for purchase_id in rows:
                            self.visible[purchase_id] = now - self.pending.pop(purchase_id)
                time.sleep(0.005)


def main() -> None:
    run_id = uuid.uuid4().hex[:8]
    watcher = Watcher()
    watcher.start()
    session = threading.local()

    def buy(i: int) -> None:
        if not hasattr(session, "http"):
            session.http = requests.Session()
        response = session.http.post(f"{SALES_API_URL}/api/purchases", timeout=30, json={
            "serviceKey": "318440fb7491", "buyerEmail": f"bench-{run_id}-{i}@example.com",
            "productId": "123456" if i % 2 else "987654"})
        response.raise_for_status()
        watcher.created(response.json()["id"], time.monotonic())

    print(f"posting {N} purchases to {SALES_API_URL} from {CONCURRENCY} threads ...", flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for k, _ in enumerate(pool.map(buy, range(N)), 1):
            if k % max(1, N // 10) == 0:
                print(f"  {k}/{N} posted ({k / (time.monotonic() - started):.0f}/s)", flush=True)
    posted = time.monotonic()
    print("waiting for every purchase's roles to be visible ...", flush=True)
    deadline = posted + TIMEOUT_S
    while len(watcher.visible) < N and time.monotonic() < deadline:
        time.sleep(0.1)
    finished = time.monotonic()
    watcher.done.set()
    latencies = list(watcher.visible.values())
    missing = N - len(latencies)
    sample_buyer = f"bench-{run_id}-1@example.com"
    api_check = requests.get(f"{ACCESS_API_URL}/api/users/{sample_buyer}/roles", timeout=10)

    results = {
        "purchases": N, "concurrency": CONCURRENCY,
        "purchase_rate_per_s": round(N / (posted - started), 1),
        "end_to_end_rate_per_s": round(len(latencies) / (finished - started), 1),
        "latency_ms": {f"p{p}": round(percentile(latencies, p) * 1000, 1) for p in (50, 95, 99)}
        if latencies else None,
        "latency_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "not_visible_within_timeout": missing,
        "access_api_sample_status": api_check.status_code,
    }
    print(json.dumps(results, indent=2))
    with open(OUTPUT, "w") as f:
        json.dump(results, f, indent=2)
    print(f"written to {OUTPUT}")
    if missing or api_check.status_code != 200:
        raise SystemExit(f"{missing} purchases never became visible; access API sample: {api_check.status_code}")


if __name__ == "__main__":
    main()
