"""Loading and saving orders, their encrypted cards, payment attempts and the customers' copy.

Core statements only, like the other sales repositories. An order's purchases are loaded
through the purchase repository, so a cancellation's PurchaseCancelled events leave at commit.
"""
from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from apps.durations import Duration
from apps.sales_api.adapters.tables import (customers, order_cards, order_items, orders,
                                            payment_attempts)
from apps.sales_api.domain.orders import (CardSummary, Customer, Order, OrderItem, OrderStatus)


class OrderRepository:
    def __init__(self, session: Connection, track, purchases):
        self.session, self.track, self.purchases = session, track, purchases

    def add(self, order: Order, card_ciphertext: bytes) -> None:
        self.track(order)
        self.session.execute(insert(orders).values(
            id=order.id, customer_email=order.customer.email, customer_name=order.customer.name,
            status=order.status.value, currency=order.currency, total=order.total,
            card_brand=order.card.brand, card_last4=order.card.last4, created_at=order.created_at))
        self.session.execute(insert(order_items), [
            {"order_id": order.id, "line": line, "product_id": item.product_id,
             "product_name": item.product_name, "quantity": item.quantity,
             "unit_price": item.unit_price, "roles": list(item.roles),
             "access_duration": str(item.duration)}
            for line, item in enumerate(order.items, start=1)])
        self.session.execute(insert(order_cards).values(order_id=order.id,
                                                        ciphertext=card_ciphertext))

    def get(self, order_id, lock: bool = False) -> Order | None:
        query = select(orders).where(orders.c.id == order_id)
        # FOR NO KEY UPDATE: the payment attempts, recorded on their own connections while this
        # lock is held, reference the order, and that key-share lock must not wait for ours.
        row = self.session.execute(query.with_for_update(key_share=True) if lock else query).first()
        if row is None:
            return None
        order = self.assemble([row])[0]
        order.purchases = self.purchases.of_order(order.id)
        return self.track(order)

    def of_customer(self, email: str, page: int, page_size: int) -> tuple[list[Order], int]:
        """A page of the customer's orders, newest first, and how many there are in all."""
        total = self.session.scalar(select(func.count()).select_from(orders)
                                    .where(orders.c.customer_email == email))
        rows = self.session.execute(
            select(orders).where(orders.c.customer_email == email)
            .order_by(orders.c.created_at.desc(), orders.c.id)
            .offset((page - 1) * page_size).limit(page_size)).all()
        return self.assemble(rows), total

    def assemble(self, rows) -> list[Order]:
        """Orders from their rows, with the items of all of them read in one statement."""
        items: dict = {row.id: [] for row in rows}
        for item in self.session.execute(select(order_items).where(
                order_items.c.order_id.in_(list(items))).order_by(order_items.c.line)):
            items[item.order_id].append(item)
        return [Order(
            row.id, Customer(row.customer_email, row.customer_name),
            tuple(OrderItem(i.product_id, i.product_name, i.quantity, i.unit_price, row.currency,
                            tuple(i.roles), Duration.parse(i.access_duration))
                  for i in items[row.id]), row.currency,
            CardSummary(row.card_brand, row.card_last4), OrderStatus(row.status), row.created_at,
            row.paid_at, row.failed_at, row.failure_code, row.failure_message, row.cancelled_at,
            row.charge_id, row.refund_id, row.refunded_at) for row in rows]

    def save(self, order: Order) -> None:
        self.session.execute(update(orders).where(orders.c.id == order.id).values(
            status=order.status.value, paid_at=order.paid_at, failed_at=order.failed_at,
            failure_code=order.failure_code, failure_message=order.failure_message,
            cancelled_at=order.cancelled_at, charge_id=order.charge_id,
            refund_id=order.refund_id, refunded_at=order.refunded_at))

    # The card, only while its charge is pending ------------------------------------------
    def card_of(self, order_id) -> bytes | None:
        return self.session.scalar(select(order_cards.c.ciphertext)
                                   .where(order_cards.c.order_id == order_id))

    def forget_card(self, order_id) -> None:
        self.session.execute(delete(order_cards).where(order_cards.c.order_id == order_id))


class PaymentAttempts:
    """Every call to the payment platform, each committed on its own, so an attempt that ends in
    a rolled-back batch (the platform was away) is still on record."""

    def __init__(self, engine):
        self.engine = engine

    def record(self, order_id, kind: str, outcome: str, detail: str | None = None,
               charge_id: str | None = None) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(payment_attempts).values(
                order_id=order_id, kind=kind, outcome=outcome, detail=detail,
                charge_id=charge_id))

    def of_order(self, order_id) -> list:
        with self.engine.connect() as connection:
            return connection.execute(select(payment_attempts).where(
                payment_attempts.c.order_id == order_id).order_by(payment_attempts.c.id)).all()


class CustomerRepository:
    def __init__(self, session: Connection):
        self.session = session

    def from_order(self, customer: Customer) -> None:
        """The name an order gives is the customer's latest word on it."""
        statement = pg_insert(customers).values(email=customer.email, name=customer.name)
        self.session.execute(statement.on_conflict_do_update(
            index_elements=["email"],
            set_={"name": statement.excluded.name, "updated_at": func.now()},
            where=customers.c.name != statement.excluded.name))

    def from_access(self, email: str, name: str, user_id: int, version: int) -> bool:
        """The access service's record of user `user_id` at `version`; False if a newer one was
        applied. Newer: a later user (one deleted and created again under this e-mail has a
        larger id and counts its versions from 1 again), else a higher version."""
        statement = pg_insert(customers).values(email=email, name=name, access_user_id=user_id,
                                                access_version=version)
        done = self.session.execute(statement.on_conflict_do_update(
            index_elements=["email"],
            set_={"name": statement.excluded.name, "access_user_id": user_id,
                  "access_version": version, "updated_at": func.now()},
            where=tuple_(customers.c.access_user_id, customers.c.access_version)
            < tuple_(statement.excluded.access_user_id, statement.excluded.access_version))
            .returning(customers.c.email)).first()
        return done is not None

    def get(self, email: str) -> Customer | None:
        row = self.session.execute(select(customers).where(customers.c.email == email)).first()
        return None if row is None else Customer(row.email, row.name)
