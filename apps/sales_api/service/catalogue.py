"""The product catalogue: what the shop sells, at what price, granting which roles for how long.

A purchase copies the product's roles and duration when it is made, so the changes here affect
later sales only. Archiving stops new sales; orders and purchases keep referring to the product.
"""
from dataclasses import replace

from apps import money
from apps.sales_api.domain.errors import InvalidPrice, ProductExists, UnknownProduct
from apps.sales_api.domain.model import Product


def list_products(uow, include_archived: bool = False) -> list[Product]:
    with uow:
        return uow.catalogue.products(include_archived)


def get_product(uow, product_id: str) -> Product:
    with uow:
        product = uow.products.get(product_id)
    if product is None:
        raise UnknownProduct(product_id)
    return product


def create_product(uow, product: Product) -> Product:
    with uow:
        if not uow.catalogue.add(product):
            raise ProductExists(product.id)
        uow.commit()
    return product


def update_product(uow, product_id: str, changes: dict) -> Product:
    """`changes` holds Product field names; the product row is locked while it changes."""
    with uow:
        product = uow.catalogue.lock(product_id)
        if product is None:
            raise UnknownProduct(product_id)
        product = replace(product, **changes)
        if error := money.amount_error(product.price, product.currency):
            raise InvalidPrice(error)
        uow.catalogue.replace(product)
        uow.commit()
    return product


def archive_product(uow, product_id: str) -> Product:
    return update_product(uow, product_id, {"active": False})
