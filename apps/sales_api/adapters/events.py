"""Sales domain events as outbox events: topic, key (the customer) and the Avro record.

One payload builder per event type, looked up by the event's class: adding an event type is
adding an entry to PAYLOADS (and its schema under schemas/avro/), not another branch.
"""
import uuid

from outbox import OutboxEvent

from apps import money
from apps.sales_api.domain.model import PurchaseCancelled, PurchaseCompleted
from apps.sales_api.domain.orders import (Order, OrderCancelled, OrderPaid, OrderPaymentFailed,
                                          OrderPlaced, OrderRefunded)

PURCHASE_TOPIC = "sales.purchase"
ORDER_TOPIC = "sales.order"


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


def order_fields(order: Order) -> dict:
    """The fields every order event carries."""
    return {"order_id": str(order.id), "customer_email": order.customer.email,
            "total": money.formatted(order.total, order.currency), "currency": order.currency}


def order_placed_payload(event: OrderPlaced) -> dict:
    order = event.order
    return {**order_fields(order), "customer_name": order.customer.name,
            "card_brand": order.card.brand, "card_last4": order.card.last4,
            "occurred_at": order.created_at,
            "items": [{"product_id": i.product_id, "product_name": i.product_name,
                       "quantity": i.quantity, "roles": list(i.roles),
                       "unit_price": money.formatted(i.unit_price, order.currency),
                       "access_duration": str(i.duration)} for i in order.items]}


def order_paid_payload(event: OrderPaid) -> dict:
    order = event.order
    return {**order_fields(order), "customer_name": order.customer.name,
            "charge_id": order.charge_id, "occurred_at": order.paid_at,
            "purchase_ids": [str(p.id) for p in order.purchases]}


def order_payment_failed_payload(event: OrderPaymentFailed) -> dict:
    order = event.order
    return {**order_fields(order), "customer_name": order.customer.name,
            "failure_code": order.failure_code, "failure_message": order.failure_message,
            "occurred_at": order.failed_at}


def order_cancelled_payload(event: OrderCancelled) -> dict:
    order = event.order
    return {**order_fields(order), "charge_id": order.charge_id, "occurred_at": order.cancelled_at}


def order_refunded_payload(event: OrderRefunded) -> dict:
    order = event.order
    return {**order_fields(order), "refund_id": order.refund_id, "occurred_at": order.refunded_at}


def by_buyer(event) -> str:
    return event.buyer_email


def by_customer(event) -> str:
    return event.order.customer.email


# event class -> (topic, its key: the customer's e-mail, so one customer's events stay in order,
#                 payload builder)
PAYLOADS = {
    PurchaseCompleted: (PURCHASE_TOPIC, by_buyer, purchase_completed_payload),
    PurchaseCancelled: (PURCHASE_TOPIC, by_buyer, purchase_cancelled_payload),
    OrderPlaced: (ORDER_TOPIC, by_customer, order_placed_payload),
    OrderPaid: (ORDER_TOPIC, by_customer, order_paid_payload),
    OrderPaymentFailed: (ORDER_TOPIC, by_customer, order_payment_failed_payload),
    OrderCancelled: (ORDER_TOPIC, by_customer, order_cancelled_payload),
    OrderRefunded: (ORDER_TOPIC, by_customer, order_refunded_payload),
}


def to_outbox(event) -> OutboxEvent:
    mapping = PAYLOADS.get(type(event))
    if mapping is None:
        raise TypeError(f"no outbox mapping for {type(event).__name__}")
    topic, key_of, build_payload = mapping
    event_id = uuid.uuid4()
    payload = {"event_id": str(event_id), **build_payload(event)}
    return OutboxEvent(topic, key_of(event), type(event).__name__, payload, event_id)
