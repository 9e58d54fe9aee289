"""Payment events (topic sales.payment) into subscriptions, exactly once: the inbox skips a
redelivered event, and the payment event's `processed` flag, set in the same transaction,
skips one applied already by any route. A success activates or renews the subscription, a
failure makes it past due and, after enough of them, suspended (apps/billing/domain/model.py);
the subscription's events leave through the sales outbox at the consumer's commit.
"""
from apps.billing.service.webhooks import apply_payment_event
from apps.consumers.payment_events import EVENT_TYPES, PaymentEventReceived

TOPIC = "sales.payment"
GROUP = "billing"
DEAD_LETTER_TOPIC = "sales.payment.dlq"
DATABASE = "sales"


def handle_payment_event_received(event: PaymentEventReceived, uow) -> None:
    apply_payment_event(uow, event.payment_event_id, event.subscription_id, event.type)


# One at a time: a subscription's payments apply in order, each under its row lock.
HANDLERS = {"PaymentEventReceived": handle_payment_event_received}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
