"""Orders paid by card: placed, then paid or failed by the payment worker, perhaps cancelled.

    pending_payment --charge approved--> paid --cancellation--> cancelled (refund asked)
                    --charge declined--> payment_failed

An order keeps what it was sold with (names, prices, roles, durations): editing a product later
changes no order. Quantity n of a product is n purchases of one period each, which the access
service queues back to back, like n separate sales of it. The card itself never enters the
order: only its brand and last four digits.
"""
import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from apps.durations import Duration
from apps.sales_api.domain.errors import SalesError
from apps.sales_api.domain.model import Product, Purchase, PurchaseStatus

MAX_QUANTITY = 12  # periods of one product in one order
MAX_ITEMS = 20


class OrderStatus(str, enum.Enum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    CANCELLED = "cancelled"


class MixedCurrencies(SalesError):
    field = "items"

    def __init__(self, currencies: set[str]):
        super().__init__("every item of an order must be in one currency, not "
                         + ", ".join(sorted(currencies)))


class OrderNotCancellable(SalesError):
    field = "status"

    def __init__(self, status: "OrderStatus"):
        super().__init__(f"only a paid order can be cancelled; this one is {status.value}")
        self.status = status


@dataclass(frozen=True)
class OrderItem:
    product_id: str
    product_name: str
    quantity: int
    unit_price: Decimal
    currency: str
    roles: tuple[str, ...]
    duration: Duration

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    @classmethod
    def of(cls, product: Product, quantity: int) -> "OrderItem":
        return cls(product.id, product.name, quantity, product.price, product.currency,
                   product.roles, product.duration)

    def as_product(self) -> Product:
        """The product as it was sold, for the purchases this item becomes."""
        return Product(self.product_id, self.product_name, self.roles, self.duration,
                       price=self.unit_price, currency=self.currency)


@dataclass(frozen=True)
class Customer:
    email: str  # normalised
    name: str


@dataclass(frozen=True)
class CardSummary:
    brand: str
    last4: str


@dataclass(frozen=True)
class OrderEvent:
    order: "Order"  # the order as it is when the event is published (at commit)


class OrderPlaced(OrderEvent):
    pass


class OrderPaid(OrderEvent):
    pass


class OrderPaymentFailed(OrderEvent):
    pass


class OrderCancelled(OrderEvent):
    pass


class OrderRefunded(OrderEvent):
    pass


@dataclass
class Order:
    id: uuid.UUID
    customer: Customer
    items: tuple[OrderItem, ...]
    currency: str
    card: CardSummary
    status: OrderStatus
    created_at: datetime
    paid_at: datetime | None = None
    failed_at: datetime | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    cancelled_at: datetime | None = None
    charge_id: str | None = None
    refund_id: str | None = None
    refunded_at: datetime | None = None
    purchases: list[Purchase] = field(default_factory=list, compare=False, repr=False)
    events: list = field(default_factory=list, compare=False, repr=False)

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0"))

    @classmethod
    def place(cls, customer: Customer, items: list[OrderItem], card: CardSummary,
              now: datetime) -> "Order":
        currencies = {item.currency for item in items}
        if len(currencies) > 1:
            raise MixedCurrencies(currencies)
        order = cls(uuid.uuid4(), customer, tuple(items), currencies.pop(), card,
                    OrderStatus.PENDING_PAYMENT, now)
        order.events.append(OrderPlaced(order))
        return order

    def pay(self, charge_id: str, now: datetime) -> list[Purchase]:
        """Paid: one purchase per period bought, each with its PurchaseCompleted event."""
        self.status, self.paid_at, self.charge_id = OrderStatus.PAID, now, charge_id
        self.purchases = [Purchase.complete(self.customer.email, item.as_product(), now)
                          for item in self.items for _ in range(item.quantity)]
        self.events.append(OrderPaid(self))
        return self.purchases

    def fail(self, code: str, message: str, now: datetime) -> None:
        self.status, self.failed_at = OrderStatus.PAYMENT_FAILED, now
        self.failure_code, self.failure_message = code, message
        self.events.append(OrderPaymentFailed(self))

    def cancel(self, now: datetime) -> None:
        """Cancels every purchase of a paid order (their roles end); the refund follows."""
        if self.status is not OrderStatus.PAID:
            raise OrderNotCancellable(self.status)
        self.status, self.cancelled_at = OrderStatus.CANCELLED, now
        for purchase in self.purchases:
            if purchase.status is PurchaseStatus.COMPLETED:  # not already cancelled on its own
                purchase.cancel(now)
        self.events.append(OrderCancelled(self))

    def refunded(self, refund_id: str, now: datetime) -> None:
        self.refund_id, self.refunded_at = refund_id, now
        self.events.append(OrderRefunded(self))

