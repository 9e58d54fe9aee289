"""The payment events (topic sales.payment) as consumers read them: one frozen dataclass per
Avro record.

Decoded at the Kafka edge (outbox/envelope.py); a contract test keeps these fields in step with
schemas/avro/PaymentEventReceived/. The amount is decimal text ("29.99"), never a float.
"""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PaymentEventReceived:
    """A signed payment webhook, stored once by the sales API (table payment_events)."""
    event_id: str
    payment_event_id: int
    provider_event_id: str | None  # the platform's id of the webhook, when it sent one
    subscription_id: str
    type: str  # payment_success or payment_failed
    amount: str
    date: date  # the payment's date, as the webhook gave it
    occurred_at: datetime


EVENT_TYPES = {"PaymentEventReceived": PaymentEventReceived}
