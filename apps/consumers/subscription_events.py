"""The subscription events (topic sales.subscription) as consumers read them: one frozen
dataclass per Avro record.

Decoded at the Kafka edge (outbox/envelope.py); a contract test keeps these fields in step with
schemas/avro/Subscription*/. Every event states the subscription's whole new state, so a
consumer never calls the sales service back. Amounts are decimal text ("29.99").
"""
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class SubscriptionEvent:
    """The fields every subscription event has."""
    event_id: str
    subscription_id: str
    customer_email: str
    plan_id: str
    plan_name: str
    roles: tuple[str, ...]
    status: str  # after the change: pending, active, past_due, suspended, paused or cancelled
    next_billing_date: date
    paid_until: date | None  # the end of the paid periods; None before the first payment
    price: str
    currency: str
    billing_cycle: str  # monthly or annual
    occurred_at: datetime


# The same fields as every subscription event: subclasses without a dataclass decorator of
# their own inherit its fields, __init__ and frozenness.
class SubscriptionCreated(SubscriptionEvent):
    """Subscribed, pending until the first payment."""


class SubscriptionActivated(SubscriptionEvent):
    """A payment made a pending, past-due or suspended subscription active."""


class SubscriptionRenewed(SubscriptionEvent):
    """A payment paid one more period of an active subscription."""


class SubscriptionPastDue(SubscriptionEvent):
    """A payment failed, or the billing date passed unpaid."""


class SubscriptionSuspended(SubscriptionEvent):
    """Past due too long, or too many failed payments."""


class SubscriptionPaused(SubscriptionEvent):
    """Paused at the customer's request."""


class SubscriptionResumed(SubscriptionEvent):
    """A paused subscription is active again."""


class SubscriptionCancelled(SubscriptionEvent):
    """Cancelled; final."""


@dataclass(frozen=True)
class SubscriptionPlanChanged(SubscriptionEvent):
    previous_plan_id: str
    next_plan_id: str | None  # a downgrade waiting for the end of the paid period
    prorated_amount: str  # charged now for an upgrade; "0.00" for a downgrade


EVENT_TYPES = {cls.__name__: cls for cls in (
    SubscriptionCreated, SubscriptionActivated, SubscriptionRenewed, SubscriptionPastDue,
    SubscriptionSuspended, SubscriptionPaused, SubscriptionResumed, SubscriptionCancelled,
    SubscriptionPlanChanged)}
