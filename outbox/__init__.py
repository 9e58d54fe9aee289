"""The shared outbox (producer side) and inbox (consumer side) library.

Producer side: `publish(session, event)` adds an Avro-encoded outbox row inside the caller's
transaction; Debezium streams it from the WAL to Kafka. Consumer side: `EventRunner`
(runner.py) polls Kafka, decodes each message into a typed event (envelope.py) and applies a
batch in one transaction, deduped by event id in the inbox (batch.py, inbox.py);
deadletters.py lists and re-drives what could not be applied.
"""
from outbox.codec import decode, encode
from outbox.events import OutboxEvent
from outbox.publish import publish

__all__ = ["OutboxEvent", "decode", "encode", "publish"]
