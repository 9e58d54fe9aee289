"""Producer side: an event becomes an outbox row in the caller's open transaction."""
from sqlalchemy import bindparam, delete, insert
from sqlalchemy.orm import Session

from outbox.codec import encode
from outbox.events import OutboxEvent
from outbox.table import outbox


# Built once: a statement object rebuilt per call costs more Python time (construction and
# its cache key) than the database takes to run it.
INSERT_ROW = insert(outbox)
DELETE_ROW = delete(outbox).where(outbox.c.id == bindparam("row_id"))


def publish(session: Session, event: OutboxEvent) -> None:
    """Insert then delete the row, without committing.

    Debezium reads the insert from the WAL, so the row need not stay; deleting it in the same
    transaction keeps the table empty (the Event Router drops the delete). Encoding happens
    first, so an event that does not fit its schema fails the caller's request, not the
    connector.
    """
    payload = encode(event.type, event.payload)
    session.execute(INSERT_ROW, {"id": event.id, "aggregatetype": event.aggregate_type,
                                 "aggregateid": event.aggregate_id, "type": event.type,
                                 "payload": payload})
    session.execute(DELETE_ROW, {"row_id": event.id})
