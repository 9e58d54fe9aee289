"""The load generator: purchases posted closed-loop (N clients) or open-loop (paced arrivals).

It shares two cores with everything it measures, so it is kept cheap: one keep-alive
http.client connection per thread, no requests/urllib3 layers, JSON built by hand-sized dicts.
"""
import http.client
import itertools
import json
import math
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apps.settings import SALES_API_URL
from tests.bench.common import PRODUCTS, SERVICE_KEY, say
from tests.bench.stages import Tracker


class SalesClient:
    """One keep-alive connection to the sales API; reconnects when the server closes it."""

    def __init__(self, base_url: str = SALES_API_URL):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post_purchase(self, buyer: str, product: str) -> tuple[int, dict]:
        body = json.dumps({"serviceKey": SERVICE_KEY, "buyerEmail": buyer, "productId": product})
        for attempt in (1, 2):  # a keep-alive connection the server dropped fails once
            try:
                self.connection.request("POST", "/api/purchases", body,
                                        {"Content-Type": "application/json"})
                response = self.connection.getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


@dataclass
class LoadRun:
    """The purchases one load step created, in order, and what went wrong."""
    run_id: str
    purchase_ids: list[str] = field(default_factory=list)
    buyers: list[str] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    posted: float = 0.0  # the last 201 was read
    lock: threading.Lock = field(default_factory=threading.Lock)

    def buyer(self, i: int) -> str:
        return f"bench-{self.run_id}-{i}@example.com"

    def buy(self, client: SalesClient, i: int, tracker: Tracker) -> None:
        sent = time.time()
        try:
            status, body = client.post_purchase(self.buyer(i), PRODUCTS[i % 2])
        except (OSError, http.client.HTTPException) as error:
            status, body = type(error).__name__, {}
        at = time.time()
        with self.lock:
            if status != 201:
                self.failures[str(status)] = self.failures.get(str(status), 0) + 1
                return
            self.purchase_ids.append(body["id"])
            self.buyers.append(self.buyer(i))
        tracker.created(body["id"], sent, at)


class Progress:
    """A progress line every few seconds, from whichever load thread passes by first."""

    def __init__(self, line, every_s: float = 2.0):
        self.line, self.every_s, self.next_at = line, every_s, time.monotonic() + every_s
        self.lock = threading.Lock()

    def maybe(self) -> None:
        if time.monotonic() < self.next_at or not self.lock.acquire(blocking=False):
            return
        try:
            self.next_at = time.monotonic() + self.every_s
            say(f"  {self.line()}")
        finally:
            self.lock.release()


def _run_threads(count: int, target) -> None:
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def closed_loop(run: LoadRun, tracker: Tracker, purchases: int, clients: int) -> LoadRun:
    """`clients` threads, each posting its next purchase as soon as the previous one answered."""
    indices = itertools.count()  # next() on a count is atomic under the GIL
    progress = Progress(lambda: f"{len(run.purchase_ids)}/{purchases} posted "
                                f"({len(run.purchase_ids) / (time.time() - run.started):.0f}/s)")

    def client_loop():
        client = SalesClient()
        while (i := next(indices)) < purchases:
            run.buy(client, i, tracker)
            progress.maybe()

    run.started = time.time()
    _run_threads(clients, client_loop)
    run.posted = time.time()
    return run


def open_loop(run: LoadRun, tracker: Tracker, rate: float, seconds: float) -> dict:
    """Arrivals paced at `rate`/s for `seconds`, whatever the answers' speed (no coordinated
    omission); enough threads that a slow answer does not delay the next arrival."""
    total = max(1, int(rate * seconds))
    threads = min(64, max(8, math.ceil(rate * 0.1)))  # covers 100 ms answers at this rate
    indices = itertools.count()
    arrivals: list[tuple[float, float]] = []  # (due, actually sent)
    progress = Progress(lambda: f"{len(arrivals)}/{total} arrivals, {len(run.purchase_ids)} answered")

    def paced_loop():
        client = SalesClient()
        while (i := next(indices)) < total:
            due = run.started + i / rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            arrivals.append((due, time.time()))
            run.buy(client, i, tracker)
            progress.maybe()

    say(f"open loop: {total} purchases at {rate:.1f}/s from {threads} threads ...")
    run.started = time.time() + 0.05
    _run_threads(threads, paced_loop)
    run.posted = time.time()
    late = sorted(sent - due for due, sent in arrivals)
    span = max(sent for _, sent in arrivals) - min(sent for _, sent in arrivals)
    return {"target_rate_per_s": round(rate, 1), "threads": threads, "arrivals": total,
            "achieved_rate_per_s": round((total - 1) / span, 1) if span > 0 else None,
            "arrival_lateness_p99_ms": round(late[int(0.99 * (len(late) - 1))] * 1000, 1)}
