"""The order events (topic sales.order) as consumers read them: one frozen dataclass per record.

Decoded at the Kafka edge (outbox/envelope.py); a contract test keeps these fields in step with
schemas/avro/Order*/. Amounts are decimal text ("89.80"), never floats. No event carries the
card: only its brand and last four digits.
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderItem:
    product_id: str
    product_name: str
    quantity: int
    unit_price: str
    roles: tuple[str, ...]
    access_duration: str


@dataclass(frozen=True)
class OrderEvent:
    """The fields every order event has."""
    event_id: str
    order_id: str
    customer_email: str
    total: str  # decimal text, e.g. "89.80"
    currency: str
    occurred_at: datetime


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    customer_name: str
    items: tuple[OrderItem, ...]
    card_brand: str
    card_last4: str


@dataclass(frozen=True)
class OrderPaid(OrderEvent):
    customer_name: str
    charge_id: str
    purchase_ids: tuple[str, ...]


@dataclass(frozen=True)
class OrderPaymentFailed(OrderEvent):
    customer_name: str
    failure_code: str
    failure_message: str


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    charge_id: str


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    refund_id: str


EVENT_TYPES = {cls.__name__: cls for cls in (OrderPlaced, OrderPaid, OrderPaymentFailed,
                                             OrderCancelled, OrderRefunded)}
