"""Where a purchase's time goes: stamps for each stage of purchase → Kafka → role visible.

Each purchase gets four wall-clock stamps (time.time(), the clock the broker's append time uses
too, all on this machine): request sent, HTTP 201 received, appended to `sales.purchase` (the
record's broker timestamp, read by an observer consumer of our own), and visible (the first poll
of the access database, the one the access API reads, that sees its grants).
"""
import threading
import time
import uuid
from dataclasses import dataclass

import psycopg
from confluent_kafka import Consumer

from apps.settings import database_url
from outbox.codec import DecodingError, decode
from tests.bench.common import KAFKA_BOOTSTRAP, env_float

TOPIC = "sales.purchase"
WATCH_INTERVAL_S = env_float("BENCH_WATCH_INTERVAL_MS", 5) / 1000
TIMESTAMP_TYPES = {0: "NotAvailable", 1: "CreateTime", 2: "LogAppendTime"}


@dataclass
class Stamps:
    sent: float
    created: float  # the HTTP 201 was read
    appended: float | None = None
    visible: float | None = None


class Tracker:
    """The stamps of every purchase, written by the load threads, the observer and the watcher."""

    def __init__(self):
        self.lock = threading.Lock()
        self.purchases: dict[str, Stamps] = {}
        self.appended: dict[str, float] = {}  # may arrive before its 201 is read
        self.timestamp_types: dict[str, int] = {}

    def created(self, purchase_id: str, sent: float, at: float) -> None:
        with self.lock:
            self.purchases[purchase_id] = Stamps(sent, at, self.appended.get(purchase_id))

    def append_seen(self, purchase_id: str, at: float, timestamp_type: int) -> None:
        kind = TIMESTAMP_TYPES.get(timestamp_type, str(timestamp_type))
        with self.lock:
            self.appended[purchase_id] = at
            self.timestamp_types[kind] = self.timestamp_types.get(kind, 0) + 1
            if purchase_id in self.purchases:
                self.purchases[purchase_id].appended = at

    def pending(self) -> list[str]:
        with self.lock:
            return [pid for pid, s in self.purchases.items() if s.visible is None]

    def became_visible(self, purchase_ids, at: float) -> None:
        with self.lock:
            for pid in purchase_ids:
                self.purchases[pid].visible = at

    def stamps(self, purchase_ids) -> list[Stamps]:
        with self.lock:
            return [self.purchases[pid] for pid in purchase_ids if pid in self.purchases]


class Watcher(threading.Thread):
    """Polls the access database every few ms for the grants of purchases not yet visible."""

    def __init__(self, tracker: Tracker):
        super().__init__(daemon=True, name="bench-watcher")
        self.tracker, self.done = tracker, threading.Event()
        self.url = database_url("access").replace("postgresql+psycopg://", "postgresql://")

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.is_set():
                ids = self.tracker.pending()
                if ids:
                    # Stamped before the query: its snapshot, taken at the start, is what saw them.
                    at = time.time()
                    rows = conn.execute("SELECT DISTINCT source_id FROM grants WHERE "
                                        "source_type = 'purchase' AND source_id = ANY(%s)",
                                        (ids,)).fetchall()
                    self.tracker.became_visible([r[0] for r in rows], at)
                time.sleep(WATCH_INTERVAL_S)


class KafkaObserver(threading.Thread):
    """Reads `sales.purchase` from its end in a fresh group and stamps each purchase's append time.

    Assigned partitions start at their high watermark, looked up on assignment, so `ready` means
    every event appended afterwards is seen (auto.offset.reset=latest alone resolves the end
    lazily, after the load may have started).
    """

    def __init__(self, tracker: Tracker, topic: str = TOPIC):
        super().__init__(daemon=True, name="bench-observer")
        self.tracker, self.topic = tracker, topic
        self.ready, self.done = threading.Event(), threading.Event()
        self.consumer = Consumer({"bootstrap.servers": KAFKA_BOOTSTRAP,
                                  "group.id": f"bench-observer-{uuid.uuid4().hex[:8]}",
                                  "auto.offset.reset": "latest", "enable.auto.commit": False,
                                  "fetch.wait.max.ms": 10})
        self.errors: list[str] = []

    def on_assign(self, consumer, partitions) -> None:
        for partition in partitions:
            partition.offset = consumer.get_watermark_offsets(partition, timeout=10)[1]
        consumer.assign(partitions)
        self.ready.set()

    def run(self) -> None:
        self.consumer.subscribe([self.topic], on_assign=self.on_assign)
        try:
            while not self.done.is_set():
                message = self.consumer.poll(0.1)
                if message is None or message.error():
                    continue
                try:
                    event_type, record = decode(message.value())
                except DecodingError as error:
                    self.errors.append(str(error))
                    continue
                timestamp_type, millis = message.timestamp()
                self.tracker.append_seen(record["purchase_id"], millis / 1000, timestamp_type)
        finally:
            self.consumer.close()

    def timestamp_warning(self) -> str | None:
        kinds = dict(self.tracker.timestamp_types)
        if not kinds:
            return f"no event was read from {self.topic}: no Kafka append times"
        others = {k: n for k, n in kinds.items() if k != "LogAppendTime"}
        if others:
            return (f"{self.topic} records carry {others} timestamps, not LogAppendTime: the "
                    "'Kafka append' stamp is the producer's (Connect's) clock, not the broker's; "
                    "set the topic's message.timestamp.type=LogAppendTime")
        return None


def breakdown(stamps: list[Stamps]) -> dict:
    """Per-stage durations (seconds) of the purchases that completed every stage."""
    complete = [s for s in stamps if s.visible is not None]
    staged = [s for s in complete if s.appended is not None]
    return {
        "total": [s.visible - s.created for s in complete],
        "api": [s.created - s.sent for s in complete],
        "api_to_kafka": [s.appended - s.created for s in staged],
        "kafka_to_applied": [s.visible - s.appended for s in staged],
    }
