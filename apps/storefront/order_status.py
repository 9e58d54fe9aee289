"""What the order page shows and whether it keeps refreshing, from the order and the roles the
customer holds now.

After the payment the courses open a moment later (sales event, Debezium, Kafka, the access
consumer), so a paid order keeps refreshing until every role it sold is held. An old order
whose access has ended since must not refresh forever: the wait covers ACCESS_WAIT after
payment only.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apps.storefront.formatting import PLATFORM_ROLE, is_course, parsed

PENDING, PAID, FAILED, CANCELLED = "pending_payment", "paid", "payment_failed", "cancelled"
LABELS = {PENDING: "Waiting for payment", PAID: "Paid", FAILED: "Payment failed",
          CANCELLED: "Cancelled"}
ACCESS_WAIT = timedelta(minutes=10)


@dataclass(frozen=True)
class Course:
    role: str
    until: str | None


@dataclass(frozen=True)
class OrderProgress:
    status: str
    courses: list[Course]
    platform_until: str | None  # set when the order sold platform access and it is held
    sells_platform: bool
    waiting_for_access: bool

    @property
    def label(self) -> str:
        return LABELS.get(self.status, self.status.replace("_", " ").capitalize())

    @property
    def settled(self) -> bool:
        return self.status != PENDING and not self.waiting_for_access


def roles_sold(order: dict) -> list[str]:
    """Every role the order's items grant, once each, in item order."""
    return list(dict.fromkeys(role for item in order.get("items", []) for role in item.get("roles", [])))


def progress(order: dict, held_roles: list[dict], now: datetime | None = None) -> OrderProgress:
    now = now or datetime.now(timezone.utc)
    status, sold = order["status"], roles_sold(order)
    held = {r["role"]: r for r in held_roles} if status == PAID else {}
    paid_at = parsed(order.get("paidAt"))
    recently_paid = paid_at is None or now - paid_at < ACCESS_WAIT
    return OrderProgress(
        status=status,
        courses=[Course(role, held[role].get("until")) for role in sold if is_course(role) and role in held],
        platform_until=held[PLATFORM_ROLE].get("until") if PLATFORM_ROLE in sold and PLATFORM_ROLE in held else None,
        sells_platform=PLATFORM_ROLE in sold,
        waiting_for_access=status == PAID and recently_paid and any(r not in held for r in sold),
    )
