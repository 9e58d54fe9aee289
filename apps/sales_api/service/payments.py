"""The payment worker's use cases: charge a placed order, refund a cancelled one.

Each runs inside the consumer's unit of work (the order event's effect, its own events and the
processed-event record commit together). Exactly once towards the platform as well: the order id
is the platform's idempotency key, so a redelivered OrderPlaced, or a retry after a timeout whose
charge did go through, gets the platform's stored answer instead of a second charge.

The platform away (timeouts, 5xx) raises PlatformUnavailable after a few quick retries; the
consumer treats it like its database being away: the batch is held, its partitions paused and
retried with backoff, nothing dead-lettered, and the card kept until an attempt ends.
"""
import logging
from datetime import datetime, timezone
from typing import Protocol

from apps.cards.vault import CardVault
from apps.payments.platform import PaymentPlatform, PlatformUnavailable, with_backoff
from apps.sales_api.adapters.orders import PaymentAttempts
from apps.sales_api.domain.orders import OrderStatus

log = logging.getLogger(__name__)
QUICK_RETRIES = 3  # within one delivery; then the consumer's own backoff takes over


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def recorded(attempts: PaymentAttempts, order_id, kind: str, call):
    """`call()`, with its outcome on record whether it answers or fails."""
    def attempt():
        try:
            result = call()
        except PlatformUnavailable as error:
            attempts.record(order_id, kind, "unavailable", str(error))
            raise
        except Exception as error:
            attempts.record(order_id, kind, "error", f"{type(error).__name__}: {error}")
            raise
        outcome = "approved" if getattr(result, "approved", True) else "declined"
        attempts.record(order_id, kind, outcome, getattr(result, "decline_code", None),
                        getattr(result, "charge_id", None) or getattr(result, "refund_id", None))
        return result
    return attempt


class Gateway(Protocol):
    """What the worker needs beyond its unit of work (built once per process by the consumer)."""
    vault: CardVault
    platform: PaymentPlatform
    attempts: PaymentAttempts


def charge_order(uow, order_id, gateway: Gateway, clock=now_utc, sleep=None) -> None:
    order = uow.orders.get(order_id, lock=True)
    if order is None or order.status is not OrderStatus.PENDING_PAYMENT:
        return  # settled by an earlier delivery
    card = gateway.vault.decrypt(uow.orders.card_of(order.id), order.id)
    charge = recorded(gateway.attempts, order.id, "charge", lambda: gateway.platform.charge(
        order.id, order.total, order.currency, card))
    result = with_backoff(charge, attempts=QUICK_RETRIES, **({"sleep": sleep} if sleep else {}))
    now = clock()
    if result.approved:
        for purchase in order.pay(result.charge_id, now):
            uow.purchases.add(purchase, order_id=order.id)
    else:
        order.fail(result.decline_code or "declined",
                   result.decline_message or "The card was declined.", now)
    uow.orders.forget_card(order.id)  # the attempt has ended: the card is no longer needed
    uow.orders.save(order)
    log.info("order %s %s", order.id, order.status.value)


def refund_order(uow, order_id, gateway: Gateway, clock=now_utc, sleep=None) -> None:
    order = uow.orders.get(order_id, lock=True)
    if order is None or order.status is not OrderStatus.CANCELLED or order.refund_id:
        return
    # Keys are per operation on the platform: the order id names this order's one refund.
    refund = recorded(gateway.attempts, order.id, "refund", lambda: gateway.platform.refund(
        order.charge_id, str(order.id)))
    result = with_backoff(refund, attempts=QUICK_RETRIES, **({"sleep": sleep} if sleep else {}))
    order.refunded(result.refund_id, clock())
    uow.orders.save(order)
