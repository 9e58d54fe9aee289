"""The access use cases on the in-memory unit of work: a batch of sales, a cancellation, and
the role events each commits to the access outbox."""
from datetime import datetime, timedelta, timezone

from apps.access_api.domain.periods import add_months
from apps.access_api.service.grants import Sale, end_grants_for_cancelled_purchase, grant_roles_for_sales
from tests.unit.access_fakes import FakeAccessUnitOfWork
from apps.durations import Duration

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(minutes=1)


def sale(purchase_id, email, product="123456", roles=("PREMIUM_USER", "COURSE_XYZ"), at=T0):
    return Sale(purchase_id, email, product, roles, Duration.parse("P1M"), at)


def sell(uow, *sales, now=NOW):
    with uow:
        grant_roles_for_sales(uow, list(sales), now)
        uow.commit()


def published(uow):
    """Each user's events in order (users' events may interleave: each has its own key)."""
    by_user = {}
    for e in uow.published:
        by_user.setdefault(e.payload["email"], []).append(
            (e.type, e.payload["role"], e.payload["sequence"], e.payload["reason"]))
    return by_user


def test_one_batch_grants_every_buyer_and_queues_a_repeat_purchase_behind_the_first():
    uow = FakeAccessUnitOfWork()
    sell(uow, sale("p1", "A@Example.com "), sale("p2", "b@example.com"),
         sale("p3", "a@example.com", at=T0 + timedelta(hours=1)))
    a = {(g.purchase_id, g.role): g for g in uow.grants_of("a@example.com")}
    assert set(a) == {(p, r) for p in ("p1", "p3") for r in ("PREMIUM_USER", "COURSE_XYZ")}
    assert a[("p3", "COURSE_XYZ")].starts_at == a[("p1", "COURSE_XYZ")].ends_at == add_months(T0, 1)
    assert len(uow.grants_of("b@example.com")) == 2


def test_a_batch_emits_what_one_sale_at_a_time_would():
    sales = [sale("p1", "a@example.com"), sale("p2", "b@example.com"),
             sale("p3", "a@example.com", at=T0 + timedelta(hours=1))]
    batched, one_by_one = FakeAccessUnitOfWork(), FakeAccessUnitOfWork()
    sell(batched, *sales)
    for each in sales:
        sell(one_by_one, each)
    assert published(batched) == published(one_by_one) == {
        "a@example.com": [("RoleGranted", "COURSE_XYZ", 1, "PURCHASE"),
                          ("RoleGranted", "PREMIUM_USER", 2, "PURCHASE"),
                          ("RoleExtended", "COURSE_XYZ", 3, "PURCHASE"),
                          ("RoleExtended", "PREMIUM_USER", 4, "PURCHASE")],
        "b@example.com": [("RoleGranted", "COURSE_XYZ", 1, "PURCHASE"),
                          ("RoleGranted", "PREMIUM_USER", 2, "PURCHASE")]}
    keys = {(e.payload["email"], e.aggregate_id) for e in batched.published}
    assert keys == {("a@example.com", "1"), ("b@example.com", "2")}  # keyed by user id


def test_a_sale_already_granted_grants_and_emits_nothing_more():
    uow = FakeAccessUnitOfWork()
    for _ in range(2):
        sell(uow, sale("p1", "a@example.com"))
    assert len(uow.grants_of("a@example.com")) == 2
    assert len(uow.published) == 2


def test_a_sale_granted_long_ago_is_not_granted_again():
    uow = FakeAccessUnitOfWork()
    sell(uow, sale("p1", "a@example.com"))
    sell(uow, sale("p1", "a@example.com"), now=add_months(T0, 3))  # its grants ended since
    assert len(uow.grants_of("a@example.com")) == 2


def test_a_cancellation_ends_that_purchases_grants_only():
    uow = FakeAccessUnitOfWork()
    with uow:
        grant_roles_for_sales(uow, [sale("p1", "a@example.com"),
                                    sale("p2", "a@example.com", "987654", ("PREMIUM_USER", "COURSE_ABCD"))],
                              NOW)
        end_grants_for_cancelled_purchase(uow, "p1", "a@example.com", NOW, NOW)
        uow.commit()
    grants = uow.grants_of("a@example.com")
    assert {g.role for g in grants if g.end_reason is not None} == {"PREMIUM_USER", "COURSE_XYZ"}
    assert {(g.purchase_id, g.role) for g in grants if g.end_reason is None} == {
        ("p2", "PREMIUM_USER"), ("p2", "COURSE_ABCD")}
    assert published(uow)["a@example.com"][-1] == ("RoleRevoked", "COURSE_XYZ", 4, "CANCELLATION")
    assert uow.published[-1].payload["source"] == {"type": "PURCHASE", "id": "p1"}


def test_a_cancellation_for_a_user_never_granted_anything_changes_nothing():
    uow = FakeAccessUnitOfWork()
    with uow:
        end_grants_for_cancelled_purchase(uow, "p9", "nobody@example.com", T0, NOW)
        uow.commit()
    assert uow.committed.grants == [] and uow.committed.users == {} and uow.published == []


def test_nothing_is_published_when_the_transaction_rolls_back():
    uow = FakeAccessUnitOfWork()
    with uow:
        grant_roles_for_sales(uow, [sale("p1", "a@example.com")], NOW)
    assert uow.published == [] and uow.committed.grants == []
