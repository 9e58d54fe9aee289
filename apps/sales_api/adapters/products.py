"""The catalogue as the shop and its operators see it: listing, adding and changing products.

Reads for a sale go through ProductRepository (and the catalogue cache); these statements are
for the catalogue endpoints. Every write fires the NOTIFY triggers of migration 0002, so each
API process drops its cached products when the change commits.
"""
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from apps.sales_api.adapters.repositories import product_from_row
from apps.sales_api.adapters.tables import product_roles, products
from apps.sales_api.domain.model import Product


class ProductCatalogue:
    def __init__(self, session: Connection):
        self.session = session

    def products(self, include_archived: bool) -> list[Product]:
        query = select(products).order_by(products.c.created_at, products.c.id)
        if not include_archived:
            query = query.where(products.c.active)
        rows = self.session.execute(query).all()
        roles = self.roles_of([row.id for row in rows])
        return [product_from_row(row, roles.get(row.id, ())) for row in rows]

    def lock(self, product_id: str) -> Product | None:
        row = self.session.execute(
            select(products).where(products.c.id == product_id).with_for_update()).first()
        return None if row is None else product_from_row(row, self.roles_of([row.id]).get(row.id, ()))

    def roles_of(self, product_ids: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        rows = self.session.execute(select(product_roles).where(
            product_roles.c.product_id.in_(product_ids)).order_by(product_roles.c.role))
        for row in rows:
            found.setdefault(row.product_id, []).append(row.role)
        return {product_id: tuple(roles) for product_id, roles in found.items()}

    def add(self, product: Product) -> bool:
        """Inserts the product and its roles; False if its id is taken (nothing written)."""
        added = self.session.execute(
            pg_insert(products).values(**columns(product))
            .on_conflict_do_nothing(index_elements=["id"]).returning(products.c.id)).first()
        if added is None:
            return False
        self.set_roles(product)
        return True

    def replace(self, product: Product) -> None:
        self.session.execute(update(products).where(products.c.id == product.id)
                             .values(**columns(product)))
        self.session.execute(delete(product_roles).where(product_roles.c.product_id == product.id))
        self.set_roles(product)

    def set_roles(self, product: Product) -> None:
        if product.roles:
            self.session.execute(insert(product_roles), [
                {"product_id": product.id, "role": role} for role in product.roles])


def columns(product: Product) -> dict:
    return {"id": product.id, "name": product.name, "description": product.description,
            "price": product.price, "currency": product.currency, "active": product.active,
            "access_duration": str(product.duration)}
