"""The sales unit of work: repositories on one session; commit writes the outbox too."""
from outbox.uow import UnitOfWork

from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.adapters.repositories import (ProductRepository, PurchaseRepository,
                                                  ServiceKeyRepository)


class SalesUnitOfWork(UnitOfWork):
    def __enter__(self):
        super().__enter__()
        self.products = ProductRepository(self.session)
        self.purchases = PurchaseRepository(self.session)
        self.service_keys = ServiceKeyRepository(self.session)
        return self

    def collect(self, aggregate) -> None:
        """Move an aggregate's domain events into this transaction's outbox."""
        for event in aggregate.events:
            self.add_event(to_outbox(event))
        aggregate.events.clear()
