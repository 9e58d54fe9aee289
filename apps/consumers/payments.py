"""The payment worker: order events (topic sales.order) into charges and refunds at the payment
platform, and their outcome into the sales database (see apps/sales_api/service/payments.py).

The platform away is a failure of the infrastructure, not of the event: like the database being
away, it holds the batch and pauses the partitions, retried with backoff, never dead-lettered.
"""
from functools import cached_property

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from apps.cards.vault import CardVault
from apps.consumers.order_events import EVENT_TYPES, OrderCancelled, OrderPlaced
from apps.payments.platform import PaymentPlatform, PlatformUnavailable
from apps.sales_api.adapters.orders import PaymentAttempts
from apps.sales_api.service import payments
from apps.settings import database_url

TOPIC = "sales.order"
GROUP = "payments"
DEAD_LETTER_TOPIC = "sales.order.dlq"
DATABASE = "sales"
TRANSIENT_ERRORS = (OperationalError, PlatformUnavailable)
# A batch waits on the platform for each order it charges; small batches keep a slow platform
# from holding many orders (and the poll loop) at once.
BATCH_SIZE = 20


class Gateway:
    """The vault, the platform client and the attempt log, each built on first use, once per
    process: the settings are read where the worker runs, and only when an order needs them."""

    @cached_property
    def vault(self) -> CardVault:
        return CardVault.from_environment()

    @cached_property
    def platform(self) -> PaymentPlatform:
        return PaymentPlatform.from_settings()

    @cached_property
    def attempts(self) -> PaymentAttempts:
        return PaymentAttempts(create_engine(database_url(DATABASE), pool_size=2))


GATEWAY = Gateway()


def handle_order_placed(event: OrderPlaced, uow) -> None:
    payments.charge_order(uow, event.order_id, GATEWAY)


def handle_order_cancelled(event: OrderCancelled, uow) -> None:
    payments.refund_order(uow, event.order_id, GATEWAY)


HANDLERS = {"OrderPlaced": handle_order_placed, "OrderCancelled": handle_order_cancelled}
BATCH_HANDLERS: dict = {}
__all__ = ["EVENT_TYPES", "HANDLERS", "BATCH_HANDLERS", "TOPIC", "GROUP", "DEAD_LETTER_TOPIC"]
