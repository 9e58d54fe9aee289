"""Billing domain events as outbox events of the sales outbox (the same Debezium connector).

Subscription changes go to `sales.subscription`, keyed by the customer's e-mail (the access
service grants by customer, and one customer's changes stay in order); received payment
webhooks to `sales.payment`, keyed by subscription.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from outbox import OutboxEvent

from apps import money
from apps.billing.domain import model

SUBSCRIPTION_TOPIC = "sales.subscription"
PAYMENT_TOPIC = "sales.payment"


@dataclass(frozen=True)
class PaymentEventReceived:
    """A webhook stored as a payment event (service/webhooks.py), for the billing consumer."""
    payment_event_id: int
    provider_event_id: str | None
    subscription_id: str
    type: str
    amount: str
    date: date
    at: datetime


def state_fields(event: model.SubscriptionEvent) -> dict:
    state, plan = event.state, event.state.plan
    return {"subscription_id": state.subscription_id, "customer_email": state.customer_email,
            "plan_id": plan.id, "plan_name": plan.name, "roles": list(plan.roles),
            "status": state.status.value, "next_billing_date": state.next_billing_date,
            "paid_until": state.paid_until, "price": money.formatted(plan.price, plan.currency),
            "currency": plan.currency, "billing_cycle": plan.cycle.value, "occurred_at": event.at}


def plan_changed_fields(event: model.SubscriptionPlanChanged) -> dict:
    next_plan = event.state.next_plan
    return {**state_fields(event), "previous_plan_id": event.previous_plan_id,
            "next_plan_id": next_plan.id if next_plan else None,
            "prorated_amount": money.formatted(event.prorated_amount, event.state.plan.currency)}


def to_outbox(event) -> OutboxEvent:
    event_id = uuid.uuid4()
    if isinstance(event, PaymentEventReceived):
        payload = {"payment_event_id": event.payment_event_id, "type": event.type,
                   "provider_event_id": event.provider_event_id, "amount": event.amount,
                   "subscription_id": event.subscription_id, "date": event.date,
                   "occurred_at": event.at}
        topic, key = PAYMENT_TOPIC, event.subscription_id
    elif isinstance(event, model.SubscriptionEvent):
        build = plan_changed_fields if isinstance(event, model.SubscriptionPlanChanged) \
            else state_fields
        payload, topic, key = build(event), SUBSCRIPTION_TOPIC, event.state.customer_email
    else:
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    return OutboxEvent(topic, key, type(event).__name__, {"event_id": str(event_id), **payload},
                       event_id)
