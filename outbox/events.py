"""The shape of an outbox row before it is encoded, as Debezium's Event Router expects it."""
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutboxEvent:
    aggregate_type: str  # becomes the Kafka topic, e.g. "sales.purchase"
    aggregate_id: str  # becomes the message key: one key's events stay in order
    type: str  # the Avro record name, e.g. "PurchaseCompleted"; also the eventType header
    payload: dict  # the record encoded with schemas/avro/<...>.avsc
    id: uuid.UUID = field(default_factory=uuid.uuid4)  # the event id; the `id` header
