"""Producer side: an event becomes an outbox row in the caller's open transaction."""
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from outbox.codec import encode
from outbox.events import OutboxEvent
from outbox.table import outbox


def publish(session: Session, event: OutboxEvent) -> None:
    """Insert then delete the row, without committing.

    Debezium reads the insert from the WAL, so the row need not stay; deleting it in the same
    transaction keeps the table empty (the Event Router drops the delete). Encoding happens
    first, so an event that does not fit its schema fails the caller's request, not the
    connector.
    """
    payload = encode(event.type, event.payload)
    session.execute(
        insert(outbox).values(
            id=event.id,
            aggregatetype=event.aggregate_type,
            aggregateid=event.aggregate_id,
            type=event.type,
            payload=payload,
        )
    )
    session.execute(delete(outbox).where(outbox.c.id == event.id))
