"""Sales domain events as outbox events: topic, key (the buyer) and the Avro record."""
import uuid

from outbox import OutboxEvent

from apps.sales_api.domain.model import PurchaseCancelled, PurchaseCompleted

PURCHASE_TOPIC = "sales.purchase"


def to_outbox(event) -> OutboxEvent:
    event_id = uuid.uuid4()
    common = {
        "event_id": str(event_id),
        "purchase_id": str(event.purchase_id),
        "buyer_email": event.buyer_email,
        "occurred_at": event.occurred_at,
    }
    if isinstance(event, PurchaseCompleted):
        product = event.product
        payload = {**common, "product_id": product.id, "roles": list(product.roles),
                   "access_period": {"unit": product.period.unit.value,
                                     "count": product.period.count}}
    elif isinstance(event, PurchaseCancelled):
        payload = {**common, "product_id": event.product_id}
    else:
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    return OutboxEvent(PURCHASE_TOPIC, event.buyer_email, type(event).__name__, payload, event_id)
