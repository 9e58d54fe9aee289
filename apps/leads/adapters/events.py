"""Lead events as outbox events of the sales outbox (the same Debezium connector).

Both go to `sales.lead`, keyed by the lead's e-mail, so one visitor's reminder and conversion
stay in order. One payload builder per event type, looked up by the event's class (as in
apps/sales_api/adapters/events.py).
"""
import uuid

from outbox import OutboxEvent

from apps.leads.domain.model import Lead, LeadConverted, LeadReminderDue

LEAD_TOPIC = "sales.lead"


def lead_fields(lead: Lead) -> dict:
    return {"lead_id": str(lead.id), "email": lead.email, "name": lead.name}


def reminder_due_payload(event: LeadReminderDue) -> dict:
    return {**lead_fields(event.lead), "opened_at": event.lead.opened_at,
            "shop_url": event.shop_url, "occurred_at": event.at}


def converted_payload(event: LeadConverted) -> dict:
    return {**lead_fields(event.lead), "order_id": event.lead.order_id, "occurred_at": event.at}


PAYLOADS = {LeadReminderDue: reminder_due_payload, LeadConverted: converted_payload}


def to_outbox(event) -> OutboxEvent:
    build_payload = PAYLOADS.get(type(event))
    if build_payload is None:
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    event_id = uuid.uuid4()
    payload = {"event_id": str(event_id), **build_payload(event)}
    return OutboxEvent(LEAD_TOPIC, event.lead.email, type(event).__name__, payload, event_id)
