"""The sales events as consumers read them: one frozen dataclass per Avro record.

Decoded at the Kafka edge (outbox/envelope.py) from the record the codec resolved to the
current reader schema (schemas/avro/<type>/); a contract test keeps these fields in step
with those schemas. `event_id` comes from the message's `id` header.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AccessPeriod:
    unit: str  # DAY, MONTH or YEAR
    count: int


@dataclass(frozen=True)
class PurchaseCompleted:
    event_id: str
    purchase_id: str
    buyer_email: str
    product_id: str
    roles: tuple[str, ...]
    access_period: AccessPeriod
    occurred_at: datetime
    product_name: str | None = None  # since PurchaseCompleted v2


@dataclass(frozen=True)
class PurchaseCancelled:
    event_id: str
    purchase_id: str
    buyer_email: str
    product_id: str
    occurred_at: datetime


EVENT_TYPES = {cls.__name__: cls for cls in (PurchaseCompleted, PurchaseCancelled)}
