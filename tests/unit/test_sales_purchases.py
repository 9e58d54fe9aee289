"""Sales use cases on the in-memory unit of work: events leave with the commit, unasked.

No use case calls anything to publish; these tests show the events arrive all the same, in
exactly one commit, and that a failed use case commits nothing at all.
"""
from datetime import datetime, timedelta, timezone

import pytest

from apps.sales_api.domain.errors import NoLivePurchase, UnknownProduct, UnknownServiceKey
from apps.durations import Duration
from apps.sales_api.domain.model import (Product, PurchaseStatus)
from apps.sales_api.service.purchases import cancel_purchase, purchase_product
from tests.unit.fakes import FakeSalesUnitOfWork

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
KEY = "integration-key"
XYZ = Product("123456", "Course XYZ", ("COURSE_XYZ", "PREMIUM_USER"), Duration.parse("P1M"))


def at(moment):
    return lambda: moment


@pytest.fixture
def uow():
    return FakeSalesUnitOfWork(products=[XYZ], service_keys={KEY: 7})


def bought(uow, email="Ann@Example.com"):
    return purchase_product(uow, KEY, email, XYZ.id, clock=at(T0))


def test_a_purchase_is_committed_once_with_its_event_and_the_products_roles(uow):
    purchase = bought(uow)
    assert uow.commits == 1
    assert uow.committed[purchase.id][0].status is PurchaseStatus.COMPLETED
    assert uow.committed[purchase.id][1] == 7, "the purchase records which integration sold it"
    [event] = uow.published
    assert event.type == "PurchaseCompleted" and event.aggregate_id == "ann@example.com"
    assert event.payload["purchase_id"] == str(purchase.id)
    assert sorted(event.payload["roles"]) == ["COURSE_XYZ", "PREMIUM_USER"]
    assert purchase.events == [], "an event leaves once, with the commit that wrote it"


def test_cancelling_changes_the_loaded_purchase_and_publishes_its_event_unasked(uow):
    purchase = bought(uow)
    cancelled = cancel_purchase(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(days=3)))
    assert cancelled.id == purchase.id and uow.commits == 2
    assert uow.committed[purchase.id][0].status is PurchaseStatus.CANCELLED
    assert [e.type for e in uow.published] == ["PurchaseCompleted", "PurchaseCancelled"]
    assert uow.published[1].payload["purchase_id"] == str(purchase.id)


def test_cancelling_takes_the_newest_live_purchase(uow):
    first = bought(uow)
    second = purchase_product(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(hours=1)))
    assert cancel_purchase(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(hours=2))).id == second.id
    assert cancel_purchase(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(hours=3))).id == first.id


@pytest.mark.parametrize("key, product_id, error", [
    ("not-a-key", XYZ.id, UnknownServiceKey),
    (KEY, "999999", UnknownProduct),
])
def test_a_refused_purchase_commits_nothing(uow, key, product_id, error):
    with pytest.raises(error):
        purchase_product(uow, key, "ann@example.com", product_id, clock=at(T0))
    assert (uow.commits, uow.committed, uow.published) == (0, {}, [])


@pytest.mark.parametrize("key, product_id, buyer, error", [
    ("not-a-key", XYZ.id, "ann@example.com", UnknownServiceKey),
    (KEY, "999999", "ann@example.com", UnknownProduct),
    (KEY, XYZ.id, "bob@example.com", NoLivePurchase),
])
def test_a_refused_cancellation_commits_nothing(uow, key, product_id, buyer, error):
    purchase = bought(uow)
    with pytest.raises(error):
        cancel_purchase(uow, key, buyer, product_id, clock=at(T0 + timedelta(days=1)))
    assert uow.commits == 1 and len(uow.published) == 1
    assert uow.committed[purchase.id][0].status is PurchaseStatus.COMPLETED


def test_cancelling_twice_finds_no_live_purchase_and_commits_nothing_more(uow):
    bought(uow)
    cancel_purchase(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(days=1)))
    with pytest.raises(NoLivePurchase):
        cancel_purchase(uow, KEY, "ann@example.com", XYZ.id, clock=at(T0 + timedelta(days=2)))
    assert uow.commits == 2 and len(uow.published) == 2
