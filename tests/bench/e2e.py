"""End to end on the running system: the sustained maximum rate, then latency at 1 client and at half.

First BENCH_WARMUP purchases (default 1000, not measured) warm the JVMs of Kafka and Connect: a
freshly started Connect lags seconds behind at full rate until its code is compiled (measured
p50 3.6 s cold against 0.2 s warm on the same system). Then:
(a) closed loop, BENCH_CONCURRENCY clients, BENCH_PURCHASES purchases: rate = purchases whose
roles became visible / (first request → last visible); (b) BENCH_ONE_CLIENT purchases one after
the other; (c) open loop at half of (a)'s rate for BENCH_HALF_RATE_SECONDS. Each step waits for
its purchases to be visible before the next starts, so one step's backlog never skews the next.
"""
import http.client
import json
import time
import uuid
from functools import cache
from urllib.parse import urlsplit

from apps.api_keys.dev import KEY_FILE, ensure_dev_key
from apps.settings import ACCESS_API_URL
from connectors.stack.settings import settings as stack
from tests.bench.common import (NeverVisible, distribution_ms, env_float, env_int, say)
from tests.bench.load import LoadRun, closed_loop, open_loop
from tests.bench.stages import KafkaObserver, Tracker, Watcher, breakdown

PURCHASES = env_int("BENCH_PURCHASES", 3000)
CONCURRENCY = env_int("BENCH_CONCURRENCY", 8)
ONE_CLIENT = env_int("BENCH_ONE_CLIENT", 300)
HALF_RATE_SECONDS = env_float("BENCH_HALF_RATE_SECONDS", 20)
TIMEOUT_S = env_float("BENCH_TIMEOUT_S", 300)
WARMUP = env_int("BENCH_WARMUP", 1000)


def wait_visible(tracker: Tracker, run: LoadRun) -> float | None:
    """Waits (with a deadline) until every purchase of `run` is visible; the last one's stamp."""
    deadline, last_report = time.time() + TIMEOUT_S, 0.0
    while True:
        stamps = tracker.stamps(run.purchase_ids)
        visible = [s.visible for s in stamps if s.visible is not None]
        if len(visible) == len(run.purchase_ids) or time.time() > deadline:
            return max(visible) if visible else None
        if time.time() - last_report > 2:
            say(f"  {len(visible)}/{len(run.purchase_ids)} visible")
            last_report = time.time()
        time.sleep(0.05)


@cache
def access_api_key() -> str | None:
    """The development key `make up` keeps in the stack folder (created if it is missing)."""
    return ensure_dev_key(stack.stack_dir / KEY_FILE)


def access_api_roles(email: str) -> tuple[int, int]:
    """(status, number of roles) of GET /api/users/{email}/roles on the access API."""
    parts = urlsplit(ACCESS_API_URL)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
    try:
        connection.request("GET", f"/api/users/{email}/roles",
                           headers={"Authorization": f"Bearer {access_api_key()}"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(json.loads(body).get("roles", [])) if response.status == 200 else 0
    finally:
        connection.close()


def step_result(tracker: Tracker, run: LoadRun) -> dict:
    """Latency and its per-stage breakdown of one step, plus the access API re-check."""
    stamps = tracker.stamps(run.purchase_ids)
    stages = breakdown(stamps)
    status, roles = access_api_roles(run.buyers[len(run.buyers) // 2]) if run.buyers else (None, 0)
    return {
        "purchases": len(run.purchase_ids), "failed_requests": run.failures,
        "not_visible": len(run.purchase_ids) - len(stages["total"]),
        "latency_ms": distribution_ms(stages["total"]),
        "stages_ms": {name: distribution_ms(stages[name])
                      for name in ("api", "api_to_kafka", "kafka_to_applied")},
        "without_kafka_stamp": len(stages["total"]) - len(stages["api_to_kafka"]),
        "access_api_sample": {"status": status, "roles": roles},
    }


def warm_up(tracker: Tracker) -> None:
    if WARMUP <= 0:
        return
    say(f"warm-up: {WARMUP} purchases from {CONCURRENCY} clients, not measured ...")
    run = closed_loop(LoadRun(uuid.uuid4().hex[:8]), tracker, WARMUP, CONCURRENCY)
    wait_visible(tracker, run)


def maximum_rate(tracker: Tracker) -> dict:
    say(f"(a) maximum rate: {PURCHASES} purchases from {CONCURRENCY} clients (closed loop) ...")
    run = closed_loop(LoadRun(uuid.uuid4().hex[:8]), tracker, PURCHASES, CONCURRENCY)
    say("  waiting for every purchase's roles to be visible ...")
    last_visible = wait_visible(tracker, run)
    result = step_result(tracker, run)
    visible = result["purchases"] - result["not_visible"]
    result.update(clients=CONCURRENCY,
                  api_rate_per_s=round(len(run.purchase_ids) / (run.posted - run.started), 1),
                  end_to_end_rate_per_s=round(visible / (last_visible - run.started), 1)
                  if last_visible else 0.0)
    say(f"  end-to-end {result['end_to_end_rate_per_s']}/s (API alone {result['api_rate_per_s']}/s)")
    return result


def one_client(tracker: Tracker) -> dict:
    say(f"(b) one client: {ONE_CLIENT} purchases one after the other ...")
    run = closed_loop(LoadRun(uuid.uuid4().hex[:8]), tracker, ONE_CLIENT, 1)
    wait_visible(tracker, run)
    result = step_result(tracker, run)
    say(f"  latency {result['latency_ms']}")
    return result


def half_rate(tracker: Tracker, max_rate: float) -> dict:
    say(f"(c) half the maximum rate: {max_rate / 2:.1f}/s for {HALF_RATE_SECONDS:.0f} s ...")
    run = LoadRun(uuid.uuid4().hex[:8])
    pacing = open_loop(run, tracker, max_rate / 2, HALF_RATE_SECONDS)
    wait_visible(tracker, run)
    result = step_result(tracker, run)
    result["pacing"] = pacing
    say(f"  latency {result['latency_ms']}, pacing {pacing}")
    return result


def measure_end_to_end() -> dict:
    tracker = Tracker()
    observer, watcher = KafkaObserver(tracker), Watcher(tracker)
    observer.start()
    watcher.start()
    if not observer.ready.wait(30):
        say("WARNING: the Kafka observer got no partitions in 30 s; no per-stage breakdown")
    try:
        warm_up(tracker)
        results = {"warmup_purchases": WARMUP, "max_rate": maximum_rate(tracker)}
        if not results["max_rate"]["end_to_end_rate_per_s"]:
            raise NeverVisible(f"none of {results['max_rate']['purchases']} accepted purchases "
                               f"became visible within {TIMEOUT_S:.0f} s (BENCH_TIMEOUT_S); "
                               f"failed requests: {results['max_rate']['failed_requests']}")
        results["one_client"] = one_client(tracker)
        results["half_rate"] = half_rate(tracker, results["max_rate"]["end_to_end_rate_per_s"])
    finally:
        observer.done.set()
        watcher.done.set()
        observer.join(5)
    warning = observer.timestamp_warning()
    if warning:
        say(f"WARNING: {warning}")
    results["kafka_timestamp_types"] = dict(tracker.timestamp_types)
    results["warnings"] = [warning] if warning else []
    if observer.errors:
        results["warnings"].append(f"{len(observer.errors)} undecodable records: {observer.errors[0]}")
    return results
