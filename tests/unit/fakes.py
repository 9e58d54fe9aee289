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
from apps.sales_api.domain.orders import Customer, Order
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
        self.rows = rows  # purchase id -> (purchase, service key id or ("order", order id))
        self.track = track

    def add(self, purchase: Purchase, service_key_id: int | None = None, order_id=None) -> None:
        self.track(purchase)
        self.rows[purchase.id] = (stored(purchase), service_key_id or ("order", order_id))

    def of_order(self, order_id) -> list[Purchase]:
        return [self.track(stored(p)) for p, source in self.rows.values()
                if source == ("order", order_id)]

    def latest_completed(self, buyer_email: str, product_id: str) -> Purchase | None:
        live = [p for p, _ in self.rows.values() if p.buyer_email == buyer_email
                and p.product_id == product_id and p.status is PurchaseStatus.COMPLETED]
        if not live:
            return None
        return self.track(stored(max(live, key=lambda p: p.purchased_at)))

    def save_status(self, purchase: Purchase) -> None:
        self.rows[purchase.id] = (stored(purchase), self.rows[purchase.id][1])


def stored_order(order: Order) -> Order:
    return replace(order, events=[], purchases=[])


class FakeOrders:
    def __init__(self, rows: dict, track, purchases: FakePurchases):
        self.rows = rows  # order id -> (order, sealed card or None)
        self.track, self.purchases = track, purchases

    def add(self, order: Order, card_ciphertext: bytes) -> None:
        self.track(order)
        self.rows[order.id] = (stored_order(order), card_ciphertext)

    def get(self, order_id, lock: bool = False) -> Order | None:
        if order_id not in self.rows:
            return None
        order = stored_order(self.rows[order_id][0])
        order.purchases = self.purchases.of_order(order.id)
        return self.track(order)

    def save(self, order: Order) -> None:
        self.rows[order.id] = (stored_order(order), self.rows[order.id][1])

    def card_of(self, order_id) -> bytes | None:
        return self.rows[order_id][1]

    def forget_card(self, order_id) -> None:
        self.rows[order_id] = (self.rows[order_id][0], None)


class FakeCustomers:
    def __init__(self, rows: dict, access: dict | None = None):
        self.rows = rows  # e-mail -> name
        self.access = {} if access is None else access  # e-mail -> (access user id, version)

    def from_order(self, customer: Customer) -> None:
        self.rows[customer.email] = customer.name

    def from_access(self, email: str, name: str, user_id: int, version: int) -> bool:
        if self.access.get(email, (0, 0)) >= (user_id, version):
            return False
        self.rows[email], self.access[email] = name, (user_id, version)
        return True


class FakeInbox:
    def __init__(self, seen: set):
        self.seen = seen  # (consumer, event id)

    def record_new(self, consumer: str, events) -> set[str]:
        new = {event_id for event_id, _ in events if (consumer, event_id) not in self.seen}
        self.seen |= {(consumer, event_id) for event_id in new}
        return new


class FakeSalesUnitOfWork(AbstractUnitOfWork):
    def __init__(self, products=(), service_keys: dict[str, int] | None = None):
        super().__init__(to_outbox)
        self.catalogue = {p.id: p for p in products}
        self.keys = {hash_key(key): ServiceKey(key_id, hash_key(key))
                     for key, key_id in (service_keys or {}).items()}
        self.committed: dict = {}  # purchase id -> (purchase, service key id)
        self.committed_orders: dict = {}  # order id -> (order, sealed card or None)
        self.customers_committed: dict = {}  # e-mail -> name
        self.customer_versions_committed: dict = {}  # e-mail -> (access user id, version)
        self.inbox_committed: set = set()
        self.published = []  # the outbox events of every commit, in order
        self.commits = 0

    def __enter__(self):
        super().__enter__()
        self.products = FakeProducts(self.catalogue)
        self.service_keys = FakeServiceKeys(self.keys)
        self.purchases = FakePurchases(dict(self.committed), self.track)
        self.orders = FakeOrders(dict(self.committed_orders), self.track, self.purchases)
        self.customers = FakeCustomers(dict(self.customers_committed),
                                       dict(self.customer_versions_committed))
        self.inbox = FakeInbox(set(self.inbox_committed))
        return self

    def _commit(self, events) -> None:
        self.committed = dict(self.purchases.rows)
        self.committed_orders = dict(self.orders.rows)
        self.customers_committed = dict(self.customers.rows)
        self.customer_versions_committed = dict(self.customers.access)
        self.inbox_committed = set(self.inbox.seen)
        self.published += events
        self.commits += 1

    def rollback(self) -> None:
        self.purchases.rows = dict(self.committed)
        self.orders.rows = dict(self.committed_orders)
        self.customers.rows = dict(self.customers_committed)
        self.customers.access = dict(self.customer_versions_committed)
        self.inbox.seen = set(self.inbox_committed)

    def __call__(self):  # a factory of itself, for the consumer runner
        return self
