"""After the faults: every acknowledged write against both databases, and the consumers' lag.

- lost: an acknowledged purchase missing from sales or never granted in access; an
  acknowledged cancellation whose grants were never ended.
- duplicated: a buyer with more than one purchase (each logical write has its own buyer), or a
  purchase granted a role twice.
- unapplied: a purchase the sales database holds (acknowledged or not: a request can commit and
  still fail to answer) that access never applied, and consumer lag above zero.
"""
import time

import psycopg
from confluent_kafka import Consumer, TopicPartition

from apps.consumers.access_roles import GROUP, TOPIC
from apps.settings import database_url, kafka_bootstrap
from tests.chaos.load import Write


def dsn(service: str) -> str:
    return database_url(service).replace("postgresql+psycopg://", "postgresql://")


def sales_purchases(run_id: str) -> list[tuple[str, str, str]]:
    """(id, buyer, status) of every purchase of this run, probes included."""
    with psycopg.connect(dsn("sales")) as conn:
        return [(str(i), b, s) for i, b, s in conn.execute(
            "SELECT id, buyer_email, status FROM purchases WHERE buyer_email LIKE %s "
            "OR buyer_email LIKE %s", (f"chaos-{run_id}-%", f"probe-{run_id}-%"))]


def access_grants(purchase_ids: list[str]) -> dict[str, list[tuple[str, bool]]]:
    """purchase id -> [(role, ended)]."""
    grants: dict[str, list[tuple[str, bool]]] = {}
    with psycopg.connect(dsn("access")) as conn:
        for purchase_id, role, ended in conn.execute(
                "SELECT source_id, role, end_reason = 'cancellation' FROM grants "
                "WHERE source_type = 'purchase' AND source_id = ANY(%s)", (purchase_ids,)):
            grants.setdefault(purchase_id, []).append((role, ended))
    return grants


def consumer_lag() -> int:
    """Messages in the topic past the access consumer group's committed offsets."""
    # Never subscribes, so it does not join the group: it only reads the group's offsets.
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap(), "group.id": GROUP,
                         "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions
        committed = consumer.committed([TopicPartition(TOPIC, p) for p in partitions], timeout=10)
        lag = 0
        for tp in committed:
            _, high = consumer.get_watermark_offsets(tp, timeout=10)
            lag += high - max(tp.offset, 0)
        return lag
    finally:
        consumer.close()


def check(run_id: str, writes: list[Write]) -> dict:
    rows = sales_purchases(run_id)
    by_id = {i: (b, s) for i, b, s in rows}
    grants = access_grants(list(by_id))
    per_buyer: dict[str, int] = {}
    for _, buyer, _ in rows:
        per_buyer[buyer] = per_buyer.get(buyer, 0) + 1
    acknowledged = [w for w in writes if w.acknowledged]
    lost = []
    for w in acknowledged:
        held = grants.get(w.purchase_id, [])
        if w.kind == "purchase" and (w.purchase_id not in by_id or not held):
            lost.append(f"purchase {w.purchase_id} ({w.buyer})")
        if w.kind == "cancellation" and (by_id.get(w.purchase_id, ("", ""))[1] != "cancelled"
                                         or not held or not all(e for _, e in held)):
            lost.append(f"cancellation of {w.purchase_id} ({w.buyer})")
    duplicated = [f"{n} purchases for {b}" for b, n in per_buyer.items() if n > 1]
    duplicated += [f"purchase {p} granted {r} {n} times" for p, held in grants.items()
                   for r in {r for r, _ in held} if (n := sum(1 for x, _ in held if x == r)) > 1]
    unapplied = [f"purchase {i} ({b}, {s})" for i, (b, s) in by_id.items()
                 if not grants.get(i) or (s == "cancelled" and not all(e for _, e in grants[i]))]
    return {"acknowledged": len(acknowledged), "sales_rows": len(rows), "lost": lost,
            "duplicated": duplicated, "unapplied": unapplied, "lag": consumer_lag()}


def settle(run_id: str, writes: list[Write], timeout: float = 180) -> dict:
    """Check until nothing is missing and the lag is zero, or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = check(run_id, writes)
        healed = not (result["lost"] or result["unapplied"] or result["lag"])
        if healed or time.monotonic() > deadline:
            return result
        time.sleep(1)
