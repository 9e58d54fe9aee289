"""Sales events (topic sales.purchase) into role grants in the access database."""
from apps.access_api.service import grants
from apps.consumers.sales_events import EVENT_TYPES, PurchaseCancelled, PurchaseCompleted

TOPIC = "sales.purchase"
GROUP = "access-roles"
DEAD_LETTER_TOPIC = "sales.purchase.dlq"
DATABASE = "access"


def sale(event: PurchaseCompleted) -> grants.Sale:
    return grants.Sale(event.purchase_id, event.buyer_email, event.product_id, event.roles,
                       event.duration(), event.occurred_at)


def handle_purchases_completed(events: list[PurchaseCompleted], uow) -> None:
    grants.grant_roles_for_sales(uow, [sale(e) for e in events])


def handle_purchase_completed(event: PurchaseCompleted, uow) -> None:
    handle_purchases_completed([event], uow)


def handle_purchase_cancelled(event: PurchaseCancelled, uow) -> None:
    grants.end_grants_for_cancelled_purchase(uow, event.purchase_id, event.buyer_email,
                                             event.occurred_at)


HANDLERS = {
    "PurchaseCompleted": handle_purchase_completed,
    "PurchaseCancelled": handle_purchase_cancelled,
}
BATCH_HANDLERS = {"PurchaseCompleted": handle_purchases_completed}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
