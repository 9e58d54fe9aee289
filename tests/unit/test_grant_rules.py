"""Grant rules without servers: overlapping products, cancellation, buying again."""
from datetime import datetime, timedelta, timezone

from apps.access_api.domain.grants import cancel_purchase, grants_for_purchase, held_roles
from apps.access_api.domain.periods import add_months, add_period
from apps.durations import Duration

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
XYZ = ("123456", ["PREMIUM_USER", "COURSE_XYZ"])
ABCD = ("987654", ["PREMIUM_USER", "COURSE_ABCD"])


def buy(grants, purchase_id, product, at):
    new = grants_for_purchase(grants, purchase_id, product[0], product[1], Duration.parse("P1M"), at)
    grants.extend(new)
    return new


def roles(grants, now):
    return {h.role: h for h in held_roles(grants, now)}


def test_a_month_is_a_calendar_month_clamped_to_the_month_end():
    assert add_months(T0, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=timezone.utc)
    assert add_months(datetime(2027, 12, 15, tzinfo=timezone.utc), 1).year == 2028


def test_periods_go_down_to_seconds():
    assert add_period(T0, "SECOND", 5) == T0 + timedelta(seconds=5)
    assert add_period(T0, "HOUR", 2) == T0 + timedelta(hours=2)


def test_a_purchase_grants_each_role_from_purchase_time_for_one_month():
    grants = []
    buy(grants, "p1", XYZ, T0)
    held = roles(grants, T0 + timedelta(minutes=1))
    assert set(held) == {"PREMIUM_USER", "COURSE_XYZ"}
    assert held["COURSE_XYZ"].until == add_months(T0, 1)
    assert [g.purchase_id for g in held["PREMIUM_USER"].grants] == ["p1"]


def test_grants_expire_on_time():
    grants = []
    buy(grants, "p1", XYZ, T0)
    end = add_months(T0, 1)
    assert roles(grants, end - timedelta(seconds=1))
    assert roles(grants, end) == {}


def test_cancelling_one_product_keeps_a_role_another_product_grants():
    grants = []
    buy(grants, "p1", XYZ, T0)
    buy(grants, "p2", ABCD, T0 + timedelta(days=1))
    cancel_purchase(grants, "p1", T0 + timedelta(days=2))
    held = roles(grants, T0 + timedelta(days=2, seconds=1))
    assert set(held) == {"PREMIUM_USER", "COURSE_ABCD"}
    assert [g.purchase_id for g in held["PREMIUM_USER"].grants] == ["p2"]
    assert held["PREMIUM_USER"].until == add_months(T0 + timedelta(days=1), 1)


def test_a_role_granted_by_two_products_lasts_until_the_later_end():
    grants = []
    buy(grants, "p1", XYZ, T0)
    buy(grants, "p2", ABCD, T0 + timedelta(days=10))
    held = roles(grants, T0 + timedelta(days=11))
    assert held["PREMIUM_USER"].until == add_months(T0 + timedelta(days=10), 1)
    assert {g.purchase_id for g in held["PREMIUM_USER"].grants} == {"p1", "p2"}


def test_buying_the_same_product_again_extends_access_back_to_back():
    grants = []
    buy(grants, "p1", XYZ, T0)
    second = buy(grants, "p2", XYZ, T0 + timedelta(days=3))
    assert all(g.starts_at == add_months(T0, 1) for g in second)
    held = roles(grants, T0 + timedelta(days=4))
    assert held["COURSE_XYZ"].until == add_months(add_months(T0, 1), 1)


def test_buying_again_after_expiry_starts_at_the_new_purchase():
    grants = []
    buy(grants, "p1", XYZ, T0)
    later = add_months(T0, 2)
    second = buy(grants, "p2", XYZ, later)
    assert all(g.starts_at == later for g in second)


def test_the_same_purchase_twice_grants_once():
    grants = []
    buy(grants, "p1", XYZ, T0)
    assert buy(grants, "p1", XYZ, T0) == []
    assert len(grants) == 2


def test_cancelling_the_first_of_two_back_to_back_purchases_moves_the_second_up():
    grants = []
    buy(grants, "p1", XYZ, T0)
    buy(grants, "p2", XYZ, T0 + timedelta(days=1))
    at = T0 + timedelta(days=5)
    cancel_purchase(grants, "p1", at)
    held = roles(grants, at + timedelta(seconds=1))
    assert [g.purchase_id for g in held["COURSE_XYZ"].grants] == ["p2"]
    second_length = add_months(add_months(T0, 1), 1) - add_months(T0, 1)
    assert held["COURSE_XYZ"].until == at + second_length


def test_cancelling_a_queued_purchase_leaves_the_running_one():
    grants = []
    buy(grants, "p1", XYZ, T0)
    buy(grants, "p2", XYZ, T0 + timedelta(days=1))
    cancel_purchase(grants, "p2", T0 + timedelta(days=2))
    held = roles(grants, T0 + timedelta(days=3))
    assert held["COURSE_XYZ"].until == add_months(T0, 1)
    assert [g.purchase_id for g in held["COURSE_XYZ"].grants] == ["p1"]


def test_cancelling_an_unknown_or_already_cancelled_purchase_changes_nothing():
    grants = []
    buy(grants, "p1", XYZ, T0)
    assert cancel_purchase(grants, "nope", T0) == []
    assert len(cancel_purchase(grants, "p1", T0 + timedelta(days=1))) == 2
    assert cancel_purchase(grants, "p1", T0 + timedelta(days=2)) == []
