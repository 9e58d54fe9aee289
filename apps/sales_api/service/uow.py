"""The sales unit of work: repositories on one session; commit writes their events to the outbox.

The purchase repository tracks what it loads and adds, so the events of every purchase a use
case touched are published at commit without the use case asking.
"""
from sqlalchemy.orm import sessionmaker

from outbox.uow import UnitOfWork

from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.adapters.repositories import (ProductRepository, PurchaseRepository,
                                                  ServiceKeyRepository)


class SalesUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: sessionmaker):
        super().__init__(session_factory, to_outbox)

    def __enter__(self):
        super().__enter__()
        self.products = ProductRepository(self.session)
        self.service_keys = ServiceKeyRepository(self.session)
        self.purchases = PurchaseRepository(self.session, self.track)
        return self
