"""Consumer side dedupe: an event id is recorded in the same transaction as its effect."""
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from outbox.table import processed_events


def record_processed(session: Session, consumer: str, event_id: str, event_type: str | None) -> bool:
    """True the first time this consumer sees the event id, False on a redelivery.

    The primary key makes this hold under races too: a concurrent second insert waits for the
    first transaction and then finds the row.
    """
    result = session.execute(
        insert(processed_events)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(processed_events.c.event_id)
    )
    return result.first() is not None
