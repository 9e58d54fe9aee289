"""Consumer side dedupe: an event id is recorded in the same transaction as its effect.

The inbox (`processed_events`) only has to remember an event id for as long as the event can
still be delivered again. Every redelivery comes from a Kafka topic (uncommitted offsets, a
Debezium re-send after a crash, a group reset, a dead-letter re-drive), and a topic keeps a
message at most `retention.ms` + `segment.ms` after it was appended (Kafka deletes whole
segments, once the newest message in one is older than the retention). Rows older than that,
plus a margin, guard against nothing and are purged; see `inbox_window`.
"""
from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from outbox import arrays
from outbox.table import processed_events

PURGE_CHUNK = 10_000  # rows per DELETE, so a purge never holds long locks or a huge transaction
PURGE_MARGIN = timedelta(hours=1)  # covers the broker's retention check interval (5 min) and clocks


def inbox_window(retention_ms: int, segment_ms: int) -> timedelta | None:
    """How long an event id must be kept, from the topic's settings; None = forever
    (retention.ms = -1 keeps messages forever, so their ids must be kept too)."""
    if retention_ms < 0:
        return None
    return timedelta(milliseconds=retention_ms + segment_ms) + PURGE_MARGIN


RECORD_NEW = (  # binary arrays: outbox/arrays.py
    "INSERT INTO processed_events (consumer, event_id, event_type) "
    "SELECT %(consumer)b, e.id, e.type FROM unnest(CAST(%(ids)b AS text[]), "
    "CAST(%(types)b AS text[])) AS e(id, type) ON CONFLICT DO NOTHING RETURNING event_id")


class Inbox:
    """The processed-events table of one consumer database, on the unit of work's session."""

    def __init__(self, session: Session):
        self.session = session

    def record_new(self, consumer: str, events: list[tuple[str, str | None]]) -> set[str]:
        """Records (event id, event type) pairs; returns the ids seen for the first time.

        One statement for a whole batch, with the ids as one array parameter: the SQL text
        is the same for every batch size, so it is compiled once. The primary key makes this
        hold under races too: a concurrent insert of the same id waits for the other
        transaction, then finds the row.
        """
        if not events:
            return set()
        unique = dict(events)
        result = arrays.execute(self.session, RECORD_NEW, {
            "consumer": consumer, "ids": list(unique), "types": list(unique.values())})
        return set(result.scalars())

    def purge(self, consumer: str, window: timedelta) -> int:
        """Deletes up to PURGE_CHUNK of this consumer's rows older than `window`."""
        old = (select(processed_events.c.event_id)
               .where(processed_events.c.consumer == consumer,
                      processed_events.c.processed_at < func.now() - window)
               .limit(PURGE_CHUNK).scalar_subquery())
        result = self.session.execute(
            delete(processed_events).where(processed_events.c.consumer == consumer,
                                           processed_events.c.event_id.in_(old)))
        return result.rowcount

