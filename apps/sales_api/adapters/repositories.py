"""Loading and saving products, purchases and service keys on one session.

Core statements only, so the session may be an ORM Session or a plain Connection.
"""
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from apps.sales_api.adapters.tables import product_roles, products, purchases, service_keys
from apps.durations import Duration
from apps.sales_api.domain.model import Product, Purchase, PurchaseStatus


@dataclass(frozen=True)
class ServiceKey:
    """A checkout integration's key as stored: only its SHA-256 digest, never the key."""
    id: int
    key_sha256: str


class ProductRepository:
    def __init__(self, session: Session | Connection):
        self.session = session

    def get(self, product_id: str) -> Product | None:
        """The product and its roles in one round trip (a left join: a product may have none)."""
        rows = self.session.execute(
            select(products, product_roles.c.role)
            .outerjoin(product_roles, product_roles.c.product_id == products.c.id)
            .where(products.c.id == product_id).order_by(product_roles.c.role)
        ).all()
        if not rows:
            return None
        return product_from_row(rows[0], tuple(r.role for r in rows if r.role is not None))


def product_from_row(row, roles: tuple[str, ...]) -> Product:
    return Product(row.id, row.name, roles, Duration.parse(row.access_duration),
                   row.description, row.price, row.currency, row.active)


INSERT_PURCHASE = insert(purchases)  # built once: see outbox/publish.py


class PurchaseRepository:
    """Every purchase it adds or loads is tracked, so the unit of work publishes its events."""

    def __init__(self, session: Session | Connection, track: Callable[[Purchase], Purchase]):
        self.session = session
        self.track = track

    def add(self, purchase: Purchase, service_key_id: int | None = None,
            order_id=None) -> None:
        """A purchase comes from a checkout integration (its service key) or from an order."""
        self.track(purchase)
        self.session.execute(INSERT_PURCHASE, {
            "id": purchase.id, "buyer_email": purchase.buyer_email,
            "product_id": purchase.product_id, "status": purchase.status.value,
            "purchased_at": purchase.purchased_at, "service_key_id": service_key_id,
            "order_id": order_id, "roles": list(purchase.roles),
            "access_duration": str(purchase.duration)})

    def latest_completed(self, buyer_email: str, product_id: str) -> Purchase | None:
        """The newest live purchase, locked so two cancellations cannot both take it."""
        row = self.session.execute(
            select(purchases)
            .where(purchases.c.buyer_email == buyer_email, purchases.c.product_id == product_id,
                   purchases.c.status == PurchaseStatus.COMPLETED.value)
            .order_by(purchases.c.purchased_at.desc()).limit(1).with_for_update()
        ).first()
        if row is None:
            return None
        return self.track(purchase_from_row(row))

    def of_order(self, order_id) -> list[Purchase]:
        rows = self.session.execute(select(purchases).where(purchases.c.order_id == order_id)
                                    .order_by(purchases.c.purchased_at, purchases.c.id)).all()
        return [self.track(purchase_from_row(row)) for row in rows]

    def save_status(self, purchase: Purchase) -> None:
        self.session.execute(update(purchases).where(purchases.c.id == purchase.id).values(
            status=purchase.status.value, cancelled_at=purchase.cancelled_at))


def purchase_from_row(row) -> Purchase:
    return Purchase(row.id, row.buyer_email, row.product_id, PurchaseStatus(row.status),
                    row.purchased_at, row.cancelled_at, tuple(row.roles),
                    Duration.parse(row.access_duration))


class ServiceKeyRepository:
    def __init__(self, session: Session | Connection):
        self.session = session

    def find_by_hash(self, key_sha256: str) -> ServiceKey | None:
        row = self.session.execute(select(service_keys.c.id, service_keys.c.key_sha256)
                                   .where(service_keys.c.key_sha256 == key_sha256)).first()
        return None if row is None else ServiceKey(row.id, row.key_sha256)
