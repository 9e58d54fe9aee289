"""One batch of sales for new and existing buyers at once, on the real PostgreSQL: buyers the
batch creates are not locked or loaded again, existing ones are, and the role events of the
whole batch reach the WAL in one transaction, each user's in sequence order."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from apps.access_api.service.grants import Sale, grant_roles_for_sales
from apps.durations import Duration
from tests.integration.test_role_ledger import access_db, buyer, of, role_events, sell, uow  # noqa: F401

pytestmark = pytest.mark.integration
BOTH = ("PREMIUM_USER", "COURSE_XYZ")


def test_a_batch_of_new_and_existing_buyers_gives_each_their_events_in_order(access_db, role_events):
    old, new, other, now = buyer(), buyer(), buyer(), datetime.now(timezone.utc)
    sell(access_db, old, f"p-{uuid.uuid4()}", now - timedelta(days=1))
    earlier = len(role_events())  # the first sale's events are not this test's subject
    month = Duration.parse("P1M")
    sales = [Sale(f"p-{uuid.uuid4()}", new, "123456", BOTH, month, now),
             Sale(f"p-{uuid.uuid4()}", old.upper(), "123456", BOTH, month, now),
             Sale(f"p-{uuid.uuid4()}", other, "987654", ("COURSE_ABCD",), month, now),
             Sale(f"p-{uuid.uuid4()}", new, "987654", ("COURSE_ABCD",), month, now)]
    with uow(access_db) as work:
        grant_roles_for_sales(work, sales, now)
        work.commit()
    events = role_events()[earlier:]
    assert of(events, old) == [("RoleExtended", "COURSE_XYZ", 3, "PURCHASE"),
                               ("RoleExtended", "PREMIUM_USER", 4, "PURCHASE")]
    assert of(events, new) == [("RoleGranted", "COURSE_XYZ", 1, "PURCHASE"),
                               ("RoleGranted", "PREMIUM_USER", 2, "PURCHASE"),
                               ("RoleGranted", "COURSE_ABCD", 3, "PURCHASE")]
    assert of(events, other) == [("RoleGranted", "COURSE_ABCD", 1, "PURCHASE")]
    assert len({xid for xid, _, r in events if r["email"] in (old, new, other)}) == 1
    with access_db.connect() as c:
        rows = c.execute(text("SELECT u.email, u.role_sequence, count(g.id) FROM users u "
                              "JOIN grants g ON g.user_id = u.id WHERE u.email IN (:a, :b, :c) "
                              "GROUP BY u.email, u.role_sequence"),
                         {"a": old, "b": new, "c": other}).all()
        roles = c.scalar(text("SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id "
                              "WHERE u.email IN (:a, :b, :c)"), {"a": old, "b": new, "c": other})
    assert sorted(map(tuple, rows)) == sorted([(old, 4, 4), (new, 3, 3), (other, 1, 1)])
    assert roles == 2 + 3 + 1
