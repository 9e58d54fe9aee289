"""The lead events (topic sales.lead) as consumers read them: one frozen dataclass per record.

Decoded at the Kafka edge (outbox/envelope.py); a contract test keeps these fields in step with
schemas/avro/Lead*/ for every consumer that reads them (the notifications consumer sends the
abandoned-checkout reminder from LeadReminderDue).
"""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LeadEvent:
    """The fields every lead event has."""
    event_id: str
    lead_id: str
    email: str  # lower-cased, also the message key
    name: str
    occurred_at: datetime


@dataclass(frozen=True)
class LeadReminderDue(LeadEvent):
    opened_at: datetime
    shop_url: str  # the link back to the shop


@dataclass(frozen=True)
class LeadConverted(LeadEvent):
    order_id: str


EVENT_TYPES = {cls.__name__: cls for cls in (LeadReminderDue, LeadConverted)}
