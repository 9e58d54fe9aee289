"""Bounded load for the fault run: purchases and cancellations, each retried like a careful client.

Every logical write has its own buyer e-mail and its own Idempotency-Key, and is retried with
the same key and body after a connection error, a timeout, a 5xx or a 409 (still in flight)
until it is acknowledged or its deadline passes. So a duplicate purchase shows up as a second
row for one buyer, whatever the API answered in between.
"""
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from apps.settings import SALES_API_URL
from tests.bench.common import PRODUCTS, SERVICE_KEY

RETRY_DEADLINE_S = 90  # longer than the slowest recovery the fault run expects


@dataclass
class Write:
    kind: str  # "purchase" | "cancellation"
    buyer: str
    product: str
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    acknowledged: bool = False
    cancel_sent: bool = False  # a purchase some cancellation targets
    purchase_id: str | None = None
    attempts: int = 0


@dataclass
class Tally:
    writes: list[Write] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # every answer, retried ones too
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: str) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.isdigit() and int(s) >= 500)


def send(session: requests.Session, write: Write, tally: Tally) -> None:
    path = "/api/purchases" if write.kind == "purchase" else "/api/cancellations"
    body = {"serviceKey": SERVICE_KEY, "buyerEmail": write.buyer, "productId": write.product}
    deadline = time.monotonic() + RETRY_DEADLINE_S
    pause = 0.1
    while time.monotonic() < deadline:
        write.attempts += 1
        try:
            response = session.post(SALES_API_URL + path, json=body, timeout=10,
                                    headers={"Idempotency-Key": write.key})
            tally.count(str(response.status_code))
            if response.status_code in (200, 201):
                write.acknowledged, write.purchase_id = True, response.json()["id"]
                return
            if response.status_code < 500 and response.status_code != 409:
                return  # a definite "no": retrying the same request cannot change it
            retry_after = float(response.headers.get("Retry-After", pause))
        except requests.RequestException as error:
            tally.count(type(error).__name__)
            retry_after = pause
        time.sleep(min(retry_after, 2.0))
        pause = min(pause * 2, 2.0)


def run_load(tally: Tally, stop: threading.Event, rate: float, run_id: str,
             cancel_share: float = 0.2, threads: int = 4) -> list[threading.Thread]:
    """Start `threads` workers writing at about `rate` writes/s in all until `stop` is set."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def next_write(rng: random.Random) -> Write:
        with lock:
            i = next(counter)
            purchased = [w for w in tally.writes[-200:] if w.kind == "purchase" and w.acknowledged
                         and not w.cancel_sent]
            if purchased and rng.random() < cancel_share:
                target = rng.choice(purchased)
                target.cancel_sent = True
                write = Write("cancellation", target.buyer, target.product)
            else:
                write = Write("purchase", f"chaos-{run_id}-{i}@example.com", PRODUCTS[i % 2])
            tally.writes.append(write)
            return write

    def worker(seed: int) -> None:
        rng, session = random.Random(seed), requests.Session()
        interval = threads / rate
        next_at = time.monotonic()
        while not stop.is_set():
            send(session, next_write(rng), tally)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                stop.wait(delay)
            else:
                next_at = time.monotonic()  # behind after a long retry: do not burst

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    return workers
