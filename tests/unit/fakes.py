"""An in-memory sales unit of work: use cases tested without a database.

It is built on the real AbstractUnitOfWork, so event collection at commit is the production
code, not a copy. Each `with` block works on a copy of the committed purchases; `commit()`
makes the copy the committed state and appends the outbox events to `published`, so a test
sees exactly what a transaction would have committed and nothing after a rollback. Stored
purchases are copies without events, as rows in a table would be.
"""
from dataclasses import replace

from apps.sales_api.adapters.events import to_outbox
from apps.sales_api.adapters.repositories import ServiceKey
from apps.sales_api.domain.model import Product, Purchase, PurchaseStatus
from apps.sales_api.service.auth import hash_key
from outbox.uow import AbstractUnitOfWork


def stored(purchase: Purchase) -> Purchase:
    return replace(purchase, events=[])


class FakeProducts:
    def __init__(self, products: dict[str, Product]):
        self.products = products

    def get(self, product_id: str) -> Product | None:
        return self.products.get(product_id)


class FakeServiceKeys:
    def __init__(self, keys: dict[str, ServiceKey]):
        self.keys = keys

    def find_by_hash(self, key_sha256: str) -> ServiceKey | None:
        return self.keys.get(key_sha256)


class FakePurchases:
    def __init__(self, rows: dict, track):
        self.rows = rows  # purchase id -> (purchase, service key id)
        self.track = track

    def add(self, purchase: Purchase, service_key_id: int) -> None:
        self.track(purchase)
        self.rows[purchase.id] = (stored(purchase), service_key_id)

    def latest_completed(self, buyer_email: str, product_id: str) -> Purchase | None:
        live = [p for p, _ in self.rows.values() if p.buyer_email == buyer_email
                and p.product_id == product_id and p.status is PurchaseStatus.COMPLETED]
        if not live:
            return None
        return self.track(stored(max(live, key=lambda p: p.purchased_at)))

    def save_status(self, purchase: Purchase) -> None:
        self.rows[purchase.id] = (stored(purchase), self.rows[purchase.id][1])


class FakeSalesUnitOfWork(AbstractUnitOfWork):
    def __init__(self, products=(), service_keys: dict[str, int] | None = None):
        super().__init__(to_outbox)
        self.catalogue = {p.id: p for p in products}
        self.keys = {hash_key(key): ServiceKey(key_id, hash_key(key))
                     for key, key_id in (service_keys or {}).items()}
        self.committed: dict = {}  # purchase id -> (purchase, service key id)
        self.published = []  # the outbox events of every commit, in order
        self.commits = 0

    def __enter__(self):
        super().__enter__()
        self.products = FakeProducts(self.catalogue)
        self.service_keys = FakeServiceKeys(self.keys)
        self.purchases = FakePurchases(dict(self.committed), self.track)
        return self

    def _commit(self, events) -> None:
        self.committed = dict(self.purchases.rows)
        self.published += events
        self.commits += 1

    def rollback(self) -> None:
        self.purchases.rows = dict(self.committed)
