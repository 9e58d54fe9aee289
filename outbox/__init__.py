"""The shared outbox (producer side) and inbox (consumer side) library.

Producer side: `publish(session, event)` adds an Avro-encoded outbox row inside the caller's
transaction; Debezium streams it from the WAL to Kafka. Consumer side: `EventRunner` polls
Kafka, decodes, dedupes by event id and applies handlers exactly once.
"""
from outbox.codec import decode, encode
from outbox.events import OutboxEvent
from outbox.publish import publish

__all__ = ["OutboxEvent", "decode", "encode", "publish"]
