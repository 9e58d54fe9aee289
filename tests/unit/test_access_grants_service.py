"""The access use cases on the in-memory unit of work: a batch of sales, a cancellation."""
from datetime import datetime, timedelta, timezone

from apps.access_api.domain.periods import add_months
from apps.access_api.service.grants import Sale, end_grants_for_cancelled_purchase, grant_roles_for_sales
from tests.unit.access_fakes import FakeAccessUnitOfWork

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)


def sale(purchase_id, email, product="123456", roles=("PREMIUM_USER", "COURSE_XYZ"), at=T0):
    return Sale(purchase_id, email, product, roles, "MONTH", 1, at)


def test_one_batch_grants_every_buyer_and_queues_a_repeat_purchase_behind_the_first():
    uow = FakeAccessUnitOfWork()
    with uow:
        grant_roles_for_sales(uow, [sale("p1", "A@Example.com "), sale("p2", "b@example.com"),
                                    sale("p3", "a@example.com", at=T0 + timedelta(hours=1))])
        uow.commit()
    a = {(g.purchase_id, g.role): g for g in uow.grants_of("a@example.com")}
    assert set(a) == {(p, r) for p in ("p1", "p3") for r in ("PREMIUM_USER", "COURSE_XYZ")}
    assert a[("p3", "COURSE_XYZ")].starts_at == a[("p1", "COURSE_XYZ")].ends_at == add_months(T0, 1)
    assert len(uow.grants_of("b@example.com")) == 2


def test_a_sale_already_granted_grants_nothing_more():
    uow = FakeAccessUnitOfWork()
    for _ in range(2):
        with uow:
            grant_roles_for_sales(uow, [sale("p1", "a@example.com")])
            uow.commit()
    assert len(uow.grants_of("a@example.com")) == 2


def test_a_cancellation_ends_that_purchases_grants_only():
    uow = FakeAccessUnitOfWork()
    with uow:
        grant_roles_for_sales(uow, [sale("p1", "a@example.com"),
                                    sale("p2", "a@example.com", "987654", ("PREMIUM_USER", "COURSE_ABCD"))])
        end_grants_for_cancelled_purchase(uow, "p1", "a@example.com", T0 + timedelta(days=2))
        uow.commit()
    ended = {g.role for g in uow.grants_of("a@example.com") if g.revoked_at is not None}
    assert ended == {"PREMIUM_USER", "COURSE_XYZ"}
    live = {(g.purchase_id, g.role) for g in uow.grants_of("a@example.com") if g.revoked_at is None}
    assert live == {("p2", "PREMIUM_USER"), ("p2", "COURSE_ABCD")}


def test_a_cancellation_for_a_user_never_granted_anything_changes_nothing():
    uow = FakeAccessUnitOfWork()
    with uow:
        end_grants_for_cancelled_purchase(uow, "p9", "nobody@example.com", T0)
        uow.commit()
    assert uow.committed.grants == [] and uow.committed.users == {}
