"""Purchases and cancellations reported by checkout integrations.

Neither use case publishes by hand: the unit of work publishes the events of every purchase its
repository added or loaded, in the same commit.
"""
from datetime import datetime, timezone

from apps.sales_api.domain.errors import NoLivePurchase, ProductArchived, UnknownProduct
from apps.sales_api.domain.model import Purchase, normalise_email
from apps.sales_api.service.auth import authenticate


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def purchase_product(uow, service_key: str, buyer_email: str, product_id: str,
                     clock=now_utc) -> Purchase:
    with uow:
        service_key_id = authenticate(uow, service_key)
        product = uow.products.get(product_id)
        if product is None:
            raise UnknownProduct(product_id)
        if not product.active:
            raise ProductArchived(product_id)
        purchase = Purchase.complete(buyer_email, product, clock())
        uow.purchases.add(purchase, service_key_id)
        uow.commit()
        return purchase


def cancel_purchase(uow, service_key: str, buyer_email: str, product_id: str,
                    clock=now_utc) -> Purchase:
    """Cancels the buyer's newest completed purchase of the product."""
    with uow:
        authenticate(uow, service_key)
        if uow.products.get(product_id) is None:
            raise UnknownProduct(product_id)
        email = normalise_email(buyer_email)
        purchase = uow.purchases.latest_completed(email, product_id)
        if purchase is None:
            raise NoLivePurchase(email, product_id)
        purchase.cancel(clock())
        uow.purchases.save_status(purchase)
        uow.commit()
        return purchase
