"""Products, purchases and the events a purchase emits."""
import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from apps.emails import normalise_email
from apps.sales_api.domain.errors import NoLivePurchase


class PeriodUnit(str, enum.Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


@dataclass(frozen=True)
class AccessPeriod:
    unit: PeriodUnit
    count: int


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    roles: tuple[str, ...]
    period: AccessPeriod


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
    events: list = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def complete(cls, buyer_email: str, product: Product, now: datetime) -> "Purchase":
        purchase = cls(uuid.uuid4(), normalise_email(buyer_email), product.id,
                       PurchaseStatus.COMPLETED, now)
        purchase.events.append(PurchaseCompleted(purchase.id, purchase.buyer_email, product, now))
        return purchase

    def cancel(self, now: datetime) -> None:
        if self.status is not PurchaseStatus.COMPLETED:
            raise NoLivePurchase(self.buyer_email, self.product_id)
        self.status = PurchaseStatus.CANCELLED
        self.cancelled_at = now
        self.events.append(PurchaseCancelled(self.id, self.buyer_email, self.product_id, now))
