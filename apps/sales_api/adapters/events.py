"""Sales domain events as outbox events: topic, key (the buyer) and the Avro record.

One payload builder per event type, looked up by the event's class: adding an event type is
adding an entry to PAYLOADS (and its schema under schemas/avro/), not another branch.
"""
import uuid

from outbox import OutboxEvent

from apps.sales_api.domain.model import PurchaseCancelled, PurchaseCompleted

PURCHASE_TOPIC = "sales.purchase"


def purchase_fields(event) -> dict:
    """The fields every purchase event carries."""
    return {"purchase_id": str(event.purchase_id), "buyer_email": event.buyer_email,
            "occurred_at": event.occurred_at}


def purchase_completed_payload(event: PurchaseCompleted) -> dict:
    product = event.product
    unit, count = product.duration.calendar_period()  # for readers older than v3
    return {**purchase_fields(event), "product_id": product.id, "product_name": product.name,
            "roles": list(product.roles), "access_duration": str(product.duration),
            "access_period": {"unit": unit, "count": count}}


def purchase_cancelled_payload(event: PurchaseCancelled) -> dict:
    return {**purchase_fields(event), "product_id": event.product_id}


PAYLOADS = {
    PurchaseCompleted: purchase_completed_payload,
    PurchaseCancelled: purchase_cancelled_payload,
}


def to_outbox(event) -> OutboxEvent:
    build_payload = PAYLOADS.get(type(event))
    if build_payload is None:
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    event_id = uuid.uuid4()
    payload = {"event_id": str(event_id), **build_payload(event)}
    return OutboxEvent(PURCHASE_TOPIC, event.buyer_email, type(event).__name__, payload, event_id)
