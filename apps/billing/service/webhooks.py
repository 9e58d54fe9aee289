"""Payment webhooks: stored once with their outbox event (the API's half), then applied once to
their subscription (the billing consumer's half).

The API only records what the platform said; the subscription changes in the consumer, under its
row lock, one event after another in the order of the subscription's partition. A webhook is
stored at most once: by the platform's event id when it sends one, else by the digest of its
signature header and body (the very same request sent again).
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from apps import money
from apps.billing.adapters.events import PaymentEventReceived, to_outbox
from apps.billing.adapters.payment_events import Stored

log = logging.getLogger(__name__)

PAYMENT_SUCCESS = "payment_success"
PAYMENT_FAILED = "payment_failed"
EVENT_TYPES = (PAYMENT_SUCCESS, PAYMENT_FAILED)


class InvalidWebhook(Exception):
    """A signed webhook the shop cannot take (422), naming the body field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class UnknownPaymentEvent(Exception):
    pass


@dataclass(frozen=True)
class PaymentWebhook:
    subscription_id: str
    event: str  # payment_success or payment_failed
    amount: Decimal  # as the platform wrote it, digit for digit
    date: date
    provider_event_id: str | None  # X-Webhook-Id, when the platform sends one
    digest: str  # of the signature header and the raw body (request_digest)

    @property
    def amount_text(self) -> str:
        """The amount's digits as written ("29.99"); fixed-point, never "1E+2"."""
        return format(self.amount, "f")

    def data(self) -> dict:
        return {"subscription_id": self.subscription_id, "event": self.event,
                "amount": self.amount_text, "date": self.date.isoformat()}


def request_digest(signature_header: str, body: bytes) -> str:
    """SHA-256 of the signature header and the raw body, the header length-prefixed so that no
    two different requests share a digest."""
    header = signature_header.encode()
    return hashlib.sha256(len(header).to_bytes(4, "big") + header + body).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def receive_payment_webhook(uow, webhook: PaymentWebhook, clock=utc_now) -> Stored:
    """Stores the webhook and its PaymentEventReceived in one transaction; a webhook stored
    already answers with the first one's id and writes nothing."""
    with uow:
        subscription = uow.subscriptions.get(webhook.subscription_id)
        if subscription is None:
            raise InvalidWebhook("subscription_id",
                                 f"subscription {webhook.subscription_id!r} does not exist")
        if error := money.amount_error(webhook.amount, subscription.plan.currency):
            raise InvalidWebhook("amount", error)
        stored = uow.payment_events.add_once(webhook.provider_event_id, webhook.digest,
                                             webhook.event, webhook.data())
        if stored.duplicate:
            return stored  # leaving the block rolls back: nothing written
        uow.add_event(to_outbox(PaymentEventReceived(
            stored.id, webhook.provider_event_id, webhook.subscription_id, webhook.event,
            webhook.amount_text, webhook.date, clock())))
        uow.commit()
        return stored


def apply_payment_event(uow, payment_event_id: int, subscription_id: str, event_type: str,
                        clock=utc_now) -> bool:
    """In the consumer's transaction (no commit here): marks the payment event processed and
    applies it to its subscription, whose events leave through the outbox at the consumer's
    commit. False if the event was processed already: the flag guards like the inbox, for any
    consumer group and any copy of the event."""
    if not uow.payment_events.mark_processed(payment_event_id):
        log.info("payment event %d is processed already, or not stored here: skipped",
                 payment_event_id)
        return False
    if event_type not in EVENT_TYPES:  # raising undoes the mark with the transaction
        raise UnknownPaymentEvent(f"payment event {payment_event_id}: unknown type {event_type!r}")
    subscription = uow.subscriptions.get(subscription_id, lock=True)
    if subscription is None:
        raise LookupError(f"payment event {payment_event_id}: subscription {subscription_id!r} "
                          "does not exist")
    now = clock()
    if event_type == PAYMENT_SUCCESS:
        subscription.payment_succeeded(now)
    else:
        subscription.payment_failed(now)
    uow.subscriptions.save(subscription)
    log.info("payment event %d (%s) applied: subscription %s is %s", payment_event_id,
             event_type, subscription_id, subscription.status.value)
    return True
