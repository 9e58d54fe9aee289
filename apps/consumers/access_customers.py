"""Order events (topic sales.order) into the access service's users: the customer of an
OrderPlaced becomes a user, or takes the order's name (an order's name is the customer's latest
word). A name that changes is announced back as UserUpdated on access.user, in the same commit;
a name the user already has changes nothing, so the sales copy's echo ends here.

The other order events are read (they share the topic) and recorded, not applied. It has a
dead-letter topic of its own: the payment worker parks its own failures of the same topic in
sales.order.dlq, and one topic per consumer group lets each be re-driven without the other's.
"""
from apps.access_api.service.users import CustomerName, name_customers
from apps.consumers.order_events import EVENT_TYPES, OrderPlaced

TOPIC = "sales.order"
GROUP = "access-customers"
DEAD_LETTER_TOPIC = "sales.order.access-customers.dlq"
DATABASE = "access"


def handle_orders_placed(events: list[OrderPlaced], uow) -> None:
    name_customers(uow, [CustomerName(e.customer_email, e.customer_name) for e in events])


def handle_order_placed(event: OrderPlaced, uow) -> None:
    handle_orders_placed([event], uow)


HANDLERS = {"OrderPlaced": handle_order_placed}
BATCH_HANDLERS = {"OrderPlaced": handle_orders_placed}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
