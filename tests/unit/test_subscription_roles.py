"""Subscription roles without servers: the ledger's subscription rules, and what each
subscription event does to a customer's roles through the consumer's handler."""
from datetime import date, datetime, timedelta, timezone

from apps.access_api.domain.events import Reason, Source, SourceType
from apps.access_api.domain.ledger import Ledger
from apps.access_api.service.subscriptions import (SubscriptionState, apply_subscription_state,
                                                   paid_end)
from apps.durations import Duration
from tests.unit.access_fakes import FakeAccessUnitOfWork

T0 = datetime(2026, 1, 15, 10, 30, tzinfo=timezone.utc)
# Access for a paid_until of Feb 15 ends with that day (the renewal is charged on it).
END_OF_FEB_15 = datetime(2026, 2, 16, tzinfo=timezone.utc)
END_OF_MAR_15 = datetime(2026, 3, 16, tzinfo=timezone.utc)
PREMIUM = ["PREMIUM_USER", "COURSE_XYZ", "COURSE_ABCD"]
BASIC = ["PREMIUM_USER", "COURSE_XYZ"]
SUB = Source(SourceType.SUBSCRIPTION, "sub_1")
CHANGE = Reason.SUBSCRIPTION_CHANGE


def ledger() -> Ledger:
    return Ledger(7, "a@example.com", 0, [], {})


def taken(book) -> list[tuple]:
    """The events since the last call, as (type, role, reason, until)."""
    events, book.events = book.events, []
    return [(type(e).__name__, e.role, e.reason.name, e.until) for e in events]


def active(roles=BASIC) -> Ledger:
    """sub_1 active since T0, paid to END_OF_FEB_15; its events already taken."""
    book = ledger()
    book.subscribe("sub_1", roles, END_OF_FEB_15, CHANGE, T0)
    taken(book)
    return book


def test_activation_grants_each_role_until_the_end_of_the_paid_period():
    book = ledger()
    book.subscribe("sub_1", BASIC, END_OF_FEB_15, CHANGE, T0)
    assert taken(book) == [("RoleGranted", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", END_OF_FEB_15),
                           ("RoleGranted", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", END_OF_FEB_15)]
    assert {(g.role, g.source, g.starts_at, g.ends_at) for g in book.grants} == {
        ("COURSE_XYZ", SUB, T0, END_OF_FEB_15), ("PREMIUM_USER", SUB, T0, END_OF_FEB_15)}


def test_a_renewal_moves_the_same_grants_end_on_as_role_extended():
    book = active()
    book.subscribe("sub_1", BASIC, END_OF_MAR_15, CHANGE, END_OF_FEB_15 - timedelta(hours=1))
    assert taken(book) == [("RoleExtended", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", END_OF_MAR_15),
                           ("RoleExtended", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", END_OF_MAR_15)]
    assert [(g.starts_at, g.ends_at) for g in book.grants] == [(T0, END_OF_MAR_15)] * 2


def test_the_same_state_again_is_no_event_and_no_new_grant():
    book = active()
    book.subscribe("sub_1", BASIC, END_OF_FEB_15, CHANGE, T0 + timedelta(minutes=5))
    assert taken(book) == [] and len(book.grants) == 2


def test_pausing_revokes_every_role_now_with_reason_subscription_change():
    book = active()
    paused_at = T0 + timedelta(days=3)
    book.end_subscription("sub_1", paused_at)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", paused_at),
                           ("RoleRevoked", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", paused_at)]
    assert book.roles == {}
    assert {(g.ended_at, g.end_reason) for g in book.grants} == {(paused_at, CHANGE)}
    book.end_subscription("sub_1", paused_at + timedelta(minutes=1))
    assert taken(book) == []  # ending again: nothing live, nothing to say


def test_resuming_grants_again_from_now_with_new_grants():
    book = active()
    book.end_subscription("sub_1", T0 + timedelta(days=3))
    taken(book)
    resumed_at = T0 + timedelta(days=5)
    book.subscribe("sub_1", BASIC, END_OF_FEB_15, CHANGE, resumed_at)
    assert taken(book) == [("RoleGranted", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", END_OF_FEB_15),
                           ("RoleGranted", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", END_OF_FEB_15)]
    live = [g for g in book.grants if g.live(resumed_at)]
    assert [(g.starts_at, g.ends_at) for g in live] == [(resumed_at, END_OF_FEB_15)] * 2


def test_cancelling_keeps_the_roles_to_the_end_of_the_paid_period_never_longer():
    book = active()
    book.keep_subscription_until("sub_1", END_OF_MAR_15, T0 + timedelta(days=3))
    assert taken(book) == []  # already ending at END_OF_FEB_15: a later end is not granted
    book.keep_subscription_until("sub_1", END_OF_FEB_15, T0 + timedelta(days=3))
    assert taken(book) == [] and book.roles == {"COURSE_XYZ": END_OF_FEB_15, "PREMIUM_USER": END_OF_FEB_15}


def test_cancelling_shortens_to_the_paid_end_or_ends_now_when_it_has_passed():
    book = active()
    earlier = END_OF_FEB_15 - timedelta(days=10)
    book.keep_subscription_until("sub_1", earlier, T0 + timedelta(days=1))
    assert [t[0] for t in taken(book)] == ["RoleShortened", "RoleShortened"]
    now = T0 + timedelta(days=2)
    book.keep_subscription_until("sub_1", None, now)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", now),
                           ("RoleRevoked", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", now)]


def test_cancelling_after_the_paid_end_ends_the_grants_now_not_back_then():
    book = active()
    now = T0 + timedelta(days=2)
    book.keep_subscription_until("sub_1", T0 + timedelta(days=1), now)
    assert [t[::3] for t in taken(book)] == [("RoleRevoked", now)] * 2
    assert {(g.ended_at, g.end_reason) for g in book.grants} == {(now, CHANGE)}


def test_a_plan_change_adds_the_new_plans_roles_and_ends_those_it_lacks():
    book = active(BASIC)
    now = T0 + timedelta(days=2)
    book.subscribe("sub_1", ["PREMIUM_USER", "COURSE_ABCD"], END_OF_FEB_15, CHANGE, now)
    assert taken(book) == [("RoleGranted", "COURSE_ABCD", "SUBSCRIPTION_CHANGE", END_OF_FEB_15),
                           ("RoleRevoked", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", now)]
    assert book.roles == {"COURSE_ABCD": END_OF_FEB_15, "PREMIUM_USER": END_OF_FEB_15}


def test_a_paid_end_already_passed_holds_nothing():
    book = active()
    now = END_OF_FEB_15 - timedelta(hours=1)
    book.subscribe("sub_1", BASIC, now, CHANGE, now)
    assert [t[0] for t in taken(book)] == ["RoleRevoked", "RoleRevoked"] and book.roles == {}


def test_a_role_a_purchase_also_grants_outlives_the_ended_subscription():
    book = active(PREMIUM)
    book.buy("p1", "123456", ["PREMIUM_USER"], Duration.parse("P3M"), T0, T0)
    purchase_end = datetime(2026, 4, 15, 10, 30, tzinfo=timezone.utc)
    assert taken(book) == [("RoleExtended", "PREMIUM_USER", "PURCHASE", purchase_end)]
    suspended_at = T0 + timedelta(days=4)
    book.end_subscription("sub_1", suspended_at)
    assert taken(book) == [("RoleRevoked", "COURSE_ABCD", "SUBSCRIPTION_CHANGE", suspended_at),
                           ("RoleRevoked", "COURSE_XYZ", "SUBSCRIPTION_CHANGE", suspended_at)]
    assert book.roles == {"PREMIUM_USER": purchase_end}


def test_a_subscription_over_a_shorter_purchase_extends_then_shortens_back():
    book = ledger()
    book.buy("p1", "123456", ["PREMIUM_USER"], Duration.parse("P7D"), T0, T0)
    purchase_end = T0 + timedelta(days=7)
    taken(book)
    book.subscribe("sub_1", ["PREMIUM_USER"], END_OF_FEB_15, CHANGE, T0)
    assert taken(book) == [("RoleExtended", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", END_OF_FEB_15)]
    book.end_subscription("sub_1", T0 + timedelta(days=1))
    assert taken(book) == [("RoleShortened", "PREMIUM_USER", "SUBSCRIPTION_CHANGE", purchase_end)]


def test_a_subscription_left_unpaid_runs_out_through_expiry():
    book = active()
    assert len(book.expire(END_OF_FEB_15)) == 2
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", "EXPIRY", END_OF_FEB_15),
                           ("RoleRevoked", "PREMIUM_USER", "EXPIRY", END_OF_FEB_15)]


# Through the consumer's use case: status decides, a redelivery changes nothing -------------

def state(status, paid_until=date(2026, 2, 15), roles=BASIC, email="A@Example.com "):
    return SubscriptionState("sub_1", email, status, tuple(roles), paid_until)


def apply(uow, *states, now=T0):
    for each in states:
        with uow:
            apply_subscription_state(uow, each, now)
            uow.commit()


def published(uow) -> list[tuple]:
    return [(e.type, e.payload["role"], e.payload["reason"]) for e in uow.published]


def test_paid_until_means_the_end_of_that_day_in_utc():
    assert paid_end(date(2026, 2, 15)) == END_OF_FEB_15 and paid_end(None) is None


def test_pending_and_past_due_change_nothing_and_create_no_user():
    uow = FakeAccessUnitOfWork()
    apply(uow, state("pending", paid_until=None), state("past_due"), state("something_new"))
    assert uow.published == [] and uow.committed.users == {}


def test_active_grants_the_plans_roles_and_a_redelivery_adds_nothing():
    uow = FakeAccessUnitOfWork()
    apply(uow, state("active"))
    apply(uow, state("active"), now=T0 + timedelta(seconds=5))
    assert published(uow) == [("RoleGranted", "COURSE_XYZ", "SUBSCRIPTION_CHANGE"),
                               ("RoleGranted", "PREMIUM_USER", "SUBSCRIPTION_CHANGE")]
    grants = uow.grants_of("a@example.com")
    assert {(g.source_type, g.source_id, g.ends_at) for g in grants} == {
        (SourceType.SUBSCRIPTION, "sub_1", END_OF_FEB_15)} and len(grants) == 2


def test_suspended_and_paused_end_the_roles_once():
    for status in ("suspended", "paused"):
        uow = FakeAccessUnitOfWork()
        apply(uow, state("active"), state("past_due"), state(status), state(status))
        assert [t for t, _, _ in published(uow)] == ["RoleGranted"] * 2 + ["RoleRevoked"] * 2


def test_cancelled_keeps_the_roles_to_the_paid_end():
    uow = FakeAccessUnitOfWork()
    apply(uow, state("active"), state("cancelled"), state("cancelled"))
    assert [t for t, _, _ in published(uow)] == ["RoleGranted"] * 2
    assert {g.ends_at for g in uow.grants_of("a@example.com")} == {END_OF_FEB_15}


def test_cancelled_before_any_payment_or_for_an_unknown_customer_is_nothing():
    uow = FakeAccessUnitOfWork()
    apply(uow, state("cancelled", paid_until=None), state("suspended"))
    assert uow.published == [] and uow.committed.users == {}


def test_an_upgrade_of_an_active_subscription_grants_the_new_plans_roles():
    uow = FakeAccessUnitOfWork()
    apply(uow, state("active"), state("active", roles=PREMIUM))
    assert published(uow)[2:] == [("RoleGranted", "COURSE_ABCD", "SUBSCRIPTION_CHANGE")]
