"""Order events (topic sales.order) into leads: an OrderPaid converts the customer's live lead
(open or reminded) with the order, exactly once (the inbox skips a redelivered event, and a
converted lead is no longer live), its LeadConverted leaving through the sales outbox at the
consumer's commit (apps/leads).

The other order events are read (they share the topic) and recorded, not applied. Its own
dead-letter topic, as every consumer of sales.order has, so each one's failures are re-driven
apart.
"""
from apps.consumers.order_events import EVENT_TYPES, OrderPaid
from apps.leads.service.leads import convert_for_order

TOPIC = "sales.order"
GROUP = "leads"
DEAD_LETTER_TOPIC = "sales.order.leads.dlq"
DATABASE = "sales"


def handle_order_paid(event: OrderPaid, uow) -> None:
    convert_for_order(uow, event.customer_email, event.order_id, event.occurred_at)


HANDLERS = {"OrderPaid": handle_order_paid}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
