"""The sales unit of work: repositories on one session; commit writes their events to the outbox.

The purchase repository tracks what it loads and adds, so the events of every purchase a use
case touched are published at commit without the use case asking. With a catalogue cache,
products and service keys are read through it (see adapters/catalog_cache.py).
"""
from collections.abc import Callable

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outbox.inbox import Inbox
from outbox.uow import UnitOfWork

from apps.sales_api.adapters.catalog_cache import CachedProducts, CachedServiceKeys, CatalogCache
from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.adapters.orders import CustomerRepository, OrderRepository
from apps.sales_api.adapters.products import ProductCatalogue
from apps.sales_api.adapters.repositories import (ProductRepository, PurchaseRepository,
                                                  ServiceKeyRepository)


class SalesUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: Callable[[], Session | Connection],
                 catalog: CatalogCache | None = None):
        super().__init__(session_factory, to_outbox)
        self.catalog = catalog

    def __enter__(self):
        super().__enter__()
        self.products = ProductRepository(self.session)
        self.service_keys = ServiceKeyRepository(self.session)
        if self.catalog is not None:
            self.products = CachedProducts(self.products, self.catalog)
            self.service_keys = CachedServiceKeys(self.service_keys, self.catalog)
        self.purchases = PurchaseRepository(self.session, self.track)
        self.catalogue = ProductCatalogue(self.session)  # writes: never through the cache
        self.orders = OrderRepository(self.session, self.track, self.purchases)
        self.customers = CustomerRepository(self.session)
        self.inbox = Inbox(self.session)  # the payment worker's processed events
        return self
