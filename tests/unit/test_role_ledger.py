"""The role ledger without servers: which change gives which role event, with which reason,
source, end and sequence number."""
from datetime import datetime, timedelta, timezone

import pytest

from apps.access_api.domain.events import (Reason, RoleExtended, RoleGranted, RoleRevoked,
                                           RoleShortened, Source, SourceType)
from apps.access_api.domain.ledger import EndNotAhead, GrantNotLive, Ledger
from apps.access_api.domain.periods import add_months
from apps.durations import Duration

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
MONTH = add_months(T0, 1)
XYZ = ("123456", ["PREMIUM_USER", "COURSE_XYZ"])
ABCD = ("987654", ["PREMIUM_USER", "COURSE_ABCD"])


def ledger(sequence=0) -> Ledger:
    return Ledger(7, "a@example.com", sequence, [], {})


def buy(book, purchase_id, product, at, now=None):
    book.buy(purchase_id, product[0], product[1], Duration.parse("P1M"), at, now or at)
    for number, grant in enumerate(book.grants, start=1):  # ids, as the database would give
        grant.id = grant.id or number


def taken(book) -> list[tuple]:
    """The events since the last call, as (type, role, sequence, reason, until)."""
    events, book.events = book.events, []
    return [(type(e).__name__, e.role, e.sequence, e.reason.name, e.until) for e in events]


def queued_months() -> Ledger:
    """p1's month of XYZ running, p2's queued behind it; their events already taken."""
    book = ledger()
    buy(book, "p1", XYZ, T0)
    buy(book, "p2", XYZ, T0 + timedelta(days=1))
    taken(book)
    return book


def test_a_new_role_is_granted_until_the_end_of_its_grant_with_per_user_sequence_numbers():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    [course, premium] = book.events
    assert isinstance(course, RoleGranted) and course.role == "COURSE_XYZ" and course.until == MONTH
    assert (course.sequence, premium.sequence) == (1, 2)
    assert course.reason is Reason.PURCHASE and course.source == Source(SourceType.PURCHASE, "p1")
    assert (course.user_id, course.email, course.occurred_at) == (7, "a@example.com", T0)
    assert book.roles == {"COURSE_XYZ": MONTH, "PREMIUM_USER": MONTH}


def test_numbering_goes_on_from_the_users_last_event():
    book = ledger(sequence=41)
    buy(book, "p1", XYZ, T0)
    assert [e.sequence for e in book.events] == [42, 43] and book.sequence == 43


def test_buying_the_same_product_again_extends_the_role():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    buy(book, "p2", XYZ, T0 + timedelta(days=3))
    extended = book.events[0]
    assert isinstance(extended, RoleExtended)
    assert (extended.previous_until, extended.until) == (MONTH, add_months(MONTH, 1))
    assert extended.source == Source(SourceType.PURCHASE, "p2")


def test_a_second_grant_that_does_not_move_the_end_is_no_event():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    book.grant(100, "PREMIUM_USER", MONTH - timedelta(days=1), "goodwill", T0 + timedelta(days=1))
    assert book.events == []
    assert len([g for g in book.grants if g.role == "PREMIUM_USER"]) == 2


def test_a_role_two_products_grant_survives_cancelling_one_of_them():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    buy(book, "p2", ABCD, T0)
    taken(book)
    at = T0 + timedelta(days=2)
    book.cancel("p1", at, at)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 4, "CANCELLATION", at)]
    assert "PREMIUM_USER" in book.roles


def test_cancelling_a_queued_month_shortens_the_role():
    book = queued_months()
    at = T0 + timedelta(days=2)
    book.cancel("p2", at, at)
    events = book.events
    assert [type(e) for e in events] == [RoleShortened, RoleShortened]
    assert (events[0].previous_until, events[0].until) == (add_months(MONTH, 1), MONTH)


def test_cancelling_the_only_purchase_revokes_its_roles_as_of_the_cancellation():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    at, now = T0 + timedelta(days=2), T0 + timedelta(days=2, seconds=3)  # delivered 3 s later
    book.cancel("p1", at, now)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 3, "CANCELLATION", at),
                           ("RoleRevoked", "PREMIUM_USER", 4, "CANCELLATION", at)]
    assert book.roles == {}


def test_expiry_revokes_at_the_end_naming_the_grant_that_ran_out():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    ended = book.expire(MONTH + timedelta(milliseconds=300))
    assert len(ended) == 2 and all(g.end_reason is Reason.EXPIRY and g.ended_at == MONTH for g in ended)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 3, "EXPIRY", MONTH),
                           ("RoleRevoked", "PREMIUM_USER", 4, "EXPIRY", MONTH)]
    assert book.expire(MONTH + timedelta(seconds=1)) == [] and book.events == []


def test_the_end_of_a_month_with_the_next_one_queued_is_no_event():
    book = queued_months()
    assert len(book.expire(MONTH)) == 2
    assert book.events == [] and book.roles["COURSE_XYZ"] == add_months(MONTH, 1)


def test_a_purchase_after_an_unannounced_end_revokes_then_grants_again():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    later = MONTH + timedelta(milliseconds=500)  # the scheduler has not run yet
    buy(book, "p2", ABCD, later)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 3, "EXPIRY", MONTH),
                           ("RoleRevoked", "PREMIUM_USER", 4, "EXPIRY", MONTH),
                           ("RoleGranted", "COURSE_ABCD", 5, "PURCHASE", add_months(later, 1)),
                           ("RoleGranted", "PREMIUM_USER", 6, "PURCHASE", add_months(later, 1))]


def test_a_cancellation_delivered_after_the_end_still_moves_the_queued_month_up():
    book = queued_months()
    at = T0 + timedelta(days=2)
    book.cancel("p1", at, now=MONTH + timedelta(days=1))  # delivered after p1 would have run out
    p1 = [g for g in book.grants if g.purchase_id == "p1"]
    p2 = [g for g in book.grants if g.purchase_id == "p2"]
    assert all(g.end_reason is Reason.CANCELLATION and g.ended_at == at for g in p1)
    assert all(g.starts_at == at and g.end_reason is None for g in p2)
    assert [type(e) for e in book.events] == [RoleShortened, RoleShortened]


def test_an_operators_grant_and_its_end():
    book = ledger()
    now = T0
    grant = book.grant(5, "COURSE_XYZ", T0 + timedelta(days=7), "support case 12", now)
    assert grant.source == Source(SourceType.MANUAL, "5") and grant.note == "support case 12"
    assert taken(book) == [("RoleGranted", "COURSE_XYZ", 1, "MANUAL", T0 + timedelta(days=7))]
    later = T0 + timedelta(days=1)
    book.end(5, Reason.MANUAL, "refunded", later)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 2, "MANUAL", later)]
    assert (grant.end_reason, grant.end_note, grant.ended_at) == (Reason.MANUAL, "refunded", later)
    with pytest.raises(GrantNotLive):
        book.end(5, Reason.MANUAL, None, later)
    with pytest.raises(EndNotAhead):
        book.grant(6, "COURSE_XYZ", later, None, later)


def test_ending_a_purchased_month_by_hand_moves_the_queued_month_up():
    book = queued_months()
    at = T0 + timedelta(days=2)
    first = next(g for g in book.grants if (g.purchase_id, g.role) == ("p1", "COURSE_XYZ"))
    book.end(first.id, Reason.MANUAL, None, at)
    [shortened] = book.events
    assert shortened.role == "COURSE_XYZ" and shortened.source == Source(SourceType.PURCHASE, "p1")
    assert shortened.until == at + (add_months(MONTH, 1) - MONTH)


def test_deleting_the_user_revokes_every_role_first():
    book = ledger()
    buy(book, "p1", XYZ, T0)
    taken(book)
    now = T0 + timedelta(days=3)
    book.delete(now)
    assert taken(book) == [("RoleRevoked", "COURSE_XYZ", 3, "USER_DELETED", now),
                           ("RoleRevoked", "PREMIUM_USER", 4, "USER_DELETED", now)]
    assert book.deleted and book.roles == {}
    assert all(g.end_reason is Reason.USER_DELETED for g in book.grants)
