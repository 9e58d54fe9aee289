"""Producer side: events become outbox rows in the caller's open transaction."""
import uuid

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outbox import arrays
from outbox.codec import encode
from outbox.events import OutboxEvent

# One statement for any number of rows, each column one binary array (outbox/arrays.py); rows
# go in by ordinality, so the WAL, and with it each key's topic order (a user's role event
# sequence), follows the order of `events`.
INSERT_ROWS = (
    "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) "
    "SELECT id, aggregatetype, aggregateid, type, payload FROM unnest("
    "CAST(%(ids)b AS uuid[]), CAST(%(aggregate_types)b AS text[]), "
    "CAST(%(aggregate_ids)b AS text[]), CAST(%(types)b AS text[]), "
    "CAST(%(payloads)b AS bytea[])) WITH ORDINALITY "
    "AS e(id, aggregatetype, aggregateid, type, payload, position) ORDER BY position")
DELETE_ROWS = "DELETE FROM outbox WHERE id = ANY(CAST(%(ids)b AS uuid[]))"


def publish(session: Session | Connection, event: OutboxEvent) -> None:
    publish_all(session, [event])


def publish_all(session: Session | Connection, events: list[OutboxEvent]) -> None:
    """Insert then delete the rows, without committing: one statement each, however many.

    Debezium reads the inserts from the WAL, in order, so the rows need not stay; deleting them
    in the same transaction keeps the table empty (the Event Router drops the deletes).
    Encoding happens first, so an event that does not fit its schema fails the caller's
    request, not the connector.
    """
    if not events:
        return
    payloads = [encode(event.type, event.payload) for event in events]
    ids = [event.id if isinstance(event.id, uuid.UUID) else uuid.UUID(str(event.id))
           for event in events]  # one element type per binary array
    arrays.execute(session, INSERT_ROWS, {
        "ids": ids, "aggregate_types": [event.aggregate_type for event in events],
        "aggregate_ids": [event.aggregate_id for event in events],
        "types": [event.type for event in events], "payloads": payloads})
    arrays.execute(session, DELETE_ROWS, {"ids": ids})
