"""Producer side: events become outbox rows in the caller's open transaction."""
from sqlalchemy import Uuid, bindparam, delete, func, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from outbox.codec import encode
from outbox.events import OutboxEvent
from outbox.table import outbox


# Built once: a statement object rebuilt per call costs more Python time (construction and
# its cache key) than the database takes to run it.
INSERT_ROW = insert(outbox)
# `= ANY(array)`: the same SQL text for any number of rows, so it is compiled once.
DELETE_ROWS = delete(outbox).where(outbox.c.id == func.any(bindparam("row_ids", type_=ARRAY(Uuid))))


def publish(session: Session, event: OutboxEvent) -> None:
    publish_all(session, [event])


def publish_all(session: Session, events: list[OutboxEvent]) -> None:
    """Insert then delete the rows, without committing: one statement each, however many.

    Debezium reads the inserts from the WAL, in order, so the rows need not stay; deleting them
    in the same transaction keeps the table empty (the Event Router drops the deletes).
    Encoding happens first, so an event that does not fit its schema fails the caller's
    request, not the connector.
    """
    if not events:
        return
    rows = [{"id": event.id, "aggregatetype": event.aggregate_type,
             "aggregateid": event.aggregate_id, "type": event.type,
             "payload": encode(event.type, event.payload)} for event in events]
    session.execute(INSERT_ROW, rows)
    session.execute(DELETE_ROWS, {"row_ids": [event.id for event in events]})
