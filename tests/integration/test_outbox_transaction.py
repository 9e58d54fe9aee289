"""The outbox row commits with the purchase, in the same transaction, or not at all.

Observed through PostgreSQL's own logical decoding (a throwaway `test_decoding` slot), which
is exactly what Debezium reads: the outbox table itself stays empty by design.
"""
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from apps.sales_api.adapters.tables import purchases
from apps.sales_api.service.purchases import purchase_product
from apps.sales_api.service.uow import SalesUnitOfWork
from apps.settings import database_url
from outbox import OutboxEvent, publish
from outbox.codec import EncodingError
from outbox.table import outbox

pytestmark = pytest.mark.integration
DEV_KEY = "318440fb7491"


@pytest.fixture
def sessions(stack):
    engine = create_engine(database_url("sales"))
    yield sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def wal(sessions):
    """Changes committed in the sales database while the test runs, as test_decoding lines."""
    slot = f"test_{uuid.uuid4().hex[:12]}"
    with sessions() as s, s.begin():
        s.execute(text("SELECT pg_create_logical_replication_slot(:slot, 'test_decoding')"), {"slot": slot})

    def changes() -> list[tuple[int, str]]:
        with sessions() as s:
            return [(r.xid, r.data) for r in s.execute(
                text("SELECT xid, data FROM pg_logical_slot_get_changes(:slot, NULL, NULL)"), {"slot": slot})]

    yield changes
    with sessions() as s, s.begin():
        s.execute(text("SELECT pg_drop_replication_slot(:slot)"), {"slot": slot})


def test_purchase_and_its_outbox_event_commit_in_one_transaction(sessions, wal):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    purchase = purchase_product(SalesUnitOfWork(sessions), DEV_KEY, buyer, "123456")
    changes = wal()
    purchase_xids = {xid for xid, data in changes if "public.purchases: INSERT" in data and str(purchase.id) in data}
    outbox_xids = {xid for xid, data in changes if "public.outbox: INSERT" in data and "PurchaseCompleted" in data and buyer in data}
    assert len(purchase_xids) == 1
    assert outbox_xids == purchase_xids
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(outbox)) == 0, "rows are deleted in the same transaction"


def test_nothing_reaches_the_wal_when_the_transaction_rolls_back(sessions, wal):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    with SalesUnitOfWork(sessions) as uow:
        publish(uow.session, OutboxEvent("sales.purchase", buyer, "PurchaseCancelled", {
            "event_id": str(uuid.uuid4()), "purchase_id": str(uuid.uuid4()), "buyer_email": buyer,
            "product_id": "123456", "occurred_at": 0}))
        uow.session.flush()
        # leaving the block without commit rolls back
    assert not [d for _, d in wal() if buyer in d]


def test_an_event_that_does_not_fit_its_schema_fails_before_anything_is_written(sessions, wal):
    buyer = f"{uuid.uuid4().hex[:8]}@example.com"
    uow = SalesUnitOfWork(sessions)
    with pytest.raises(EncodingError):
        with uow:
            uow.session.execute(purchases.insert().values(
                id=uuid.uuid4(), buyer_email=buyer, product_id="123456", status="completed",
                purchased_at=func.now(), service_key_id=1, roles=["COURSE_XYZ"],
                access_duration="P1M"))
            uow.add_event(OutboxEvent("sales.purchase", buyer, "PurchaseCompleted", {"buyer_email": buyer}))
            uow.commit()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(purchases).where(purchases.c.buyer_email == buyer)) == 0
    assert not [d for _, d in wal() if buyer in d]
