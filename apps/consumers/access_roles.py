"""Sales events (topic sales.purchase) into role grants in the access database."""
from apps.access_api.service import grants

TOPIC = "sales.purchase"
GROUP = "access-roles"
DEAD_LETTER_TOPIC = "sales.purchase.dlq"


def handle_purchase_completed(event: dict, uow) -> None:
    grants.grant_roles_for_purchase(
        uow, event["purchase_id"], event["buyer_email"], event["product_id"], event["roles"],
        event["access_period"]["unit"], event["access_period"]["count"], event["occurred_at"])


def handle_purchase_cancelled(event: dict, uow) -> None:
    grants.end_grants_for_cancelled_purchase(
        uow, event["purchase_id"], event["buyer_email"], event["occurred_at"])


HANDLERS = {
    "PurchaseCompleted": handle_purchase_completed,
    "PurchaseCancelled": handle_purchase_cancelled,
}
