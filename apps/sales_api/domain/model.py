"""Products, purchases and the events a purchase emits."""
import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from apps.durations import Duration
from apps.emails import normalise_email
from apps.sales_api.domain.errors import NoLivePurchase


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    roles: tuple[str, ...]
    duration: Duration  # how long the roles last from the sale
    description: str = ""
    price: Decimal = Decimal("0")
    currency: str = "BRL"
    active: bool = True


class PurchaseStatus(str, enum.Enum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PurchaseCompleted:
    purchase_id: uuid.UUID
    buyer_email: str
    product: Product
    occurred_at: datetime


@dataclass(frozen=True)
class PurchaseCancelled:
    purchase_id: uuid.UUID
    buyer_email: str
    product_id: str
    occurred_at: datetime


@dataclass
class Purchase:
    id: uuid.UUID
    buyer_email: str
    product_id: str
    status: PurchaseStatus
    purchased_at: datetime
    cancelled_at: datetime | None = None
    roles: tuple[str, ...] = ()  # what it was sold with: editing the product changes no purchase
    duration: Duration | None = None
    events: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def complete(cls, buyer_email: str, product: Product, now: datetime) -> "Purchase":
        purchase = cls(uuid.uuid4(), normalise_email(buyer_email), product.id,
                       PurchaseStatus.COMPLETED, now, roles=product.roles, duration=product.duration)
        purchase.events.append(PurchaseCompleted(purchase.id, purchase.buyer_email, product, now))
        return purchase

    def cancel(self, now: datetime) -> None:
        if self.status is not PurchaseStatus.COMPLETED:
            raise NoLivePurchase(self.buyer_email, self.product_id)
        self.status = PurchaseStatus.CANCELLED
        self.cancelled_at = now
        self.events.append(PurchaseCancelled(self.id, self.buyer_email, self.product_id, now))
