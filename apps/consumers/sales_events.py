"""The sales events as consumers read them: one frozen dataclass per Avro record.

Decoded at the Kafka edge (outbox/envelope.py) from the record the codec resolved to the
current reader schema (schemas/avro/<type>/); a contract test keeps these fields in step
with those schemas. `event_id` comes from the message's `id` header.
"""
from dataclasses import dataclass
from datetime import datetime

from apps.durations import Duration


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
    access_duration: str | None = None  # since v3; ISO 8601, wins over access_period

    def duration(self) -> Duration:
        if self.access_duration is not None:
            return Duration.parse(self.access_duration)
        return Duration.of(self.access_period.unit, self.access_period.count)


@dataclass(frozen=True)
class PurchaseCancelled:
    event_id: str
    purchase_id: str
    buyer_email: str
    product_id: str
    occurred_at: datetime


EVENT_TYPES = {cls.__name__: cls for cls in (PurchaseCompleted, PurchaseCancelled)}
