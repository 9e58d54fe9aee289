"""The role ledger on the real PostgreSQL: role events reach the access outbox in the
transaction of the change (read back from the WAL, as Debezium reads them), and two
schedulers racing over the same due grants end each grant once."""
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy import create_engine, text

from apps.access_api.scheduler import Scheduler
from apps.access_api.service.expiry import end_due_grants
from apps.access_api.service.grants import Sale, end_grants_for_cancelled_purchase, grant_roles_for_sales
from apps.access_api.service.roles import delete_user, end_grant, grant_manually
from apps.access_api.service.uow import AccessUnitOfWork
from apps.settings import database_url, kafka_bootstrap
from outbox.codec import decode
from tests.integration.polling import wait_for
from apps.durations import Duration

pytestmark = pytest.mark.integration
PAYLOAD = re.compile(r"payload\[bytea\]:'\\x([0-9a-f]+)'")
XID = re.compile(r"^(BEGIN|COMMIT) (\d+)")


@pytest.fixture(scope="module")
def access_db(stack):
    engine = create_engine(database_url("access"), pool_size=4)
    yield engine
    engine.dispose()


@pytest.fixture
def role_events(access_db):
    """Role events committed while the test runs, read from a throwaway logical replication
    slot: [(transaction id, event type, record)], in commit order."""
    slot, seen = f"test_{uuid.uuid4().hex[:12]}", []
    with access_db.begin() as c:
        c.execute(text("SELECT pg_create_logical_replication_slot(:s, 'test_decoding')"), {"s": slot})

    def read() -> list[tuple[int, str, dict]]:
        with access_db.begin() as c:
            xid = None
            for row in c.execute(text("SELECT xid, data FROM pg_logical_slot_get_changes("
                                      ":s, NULL, NULL)"), {"s": slot}):
                match = PAYLOAD.search(row.data)
                if "public.outbox: INSERT" in row.data and match:
                    seen.append((row.xid, *decode(bytes.fromhex(match[1]))))
        return seen

    yield read
    with access_db.begin() as c:
        c.execute(text("SELECT pg_drop_replication_slot(:s)"), {"s": slot})


def uow(engine) -> AccessUnitOfWork:
    return AccessUnitOfWork(engine.connect)


def of(events, email):
    return [(kind, r["role"], r["sequence"], r["reason"]) for _, kind, r in events
            if r["email"] == email]


def buyer() -> str:
    return f"ledger-{uuid.uuid4().hex[:10]}@example.com"


def sell(engine, email, purchase_id, at, duration="P1M",
         roles=("PREMIUM_USER", "COURSE_XYZ"), now=None):
    with uow(engine) as work:
        sale = Sale(purchase_id, email, "123456", roles, Duration.parse(duration), at)
        grant_roles_for_sales(work, [sale], now)
        work.commit()


def test_a_purchase_and_its_role_events_commit_in_one_transaction(access_db, role_events):
    email, now = buyer(), datetime.now(timezone.utc)
    sell(access_db, email, f"p-{uuid.uuid4()}", now)
    second = f"p-{uuid.uuid4()}"
    sell(access_db, email, second, now)
    with uow(access_db) as work:
        end_grants_for_cancelled_purchase(work, second, email, now + timedelta(seconds=1))
        work.commit()
    events = role_events()
    assert of(events, email) == [
        ("RoleGranted", "COURSE_XYZ", 1, "PURCHASE"), ("RoleGranted", "PREMIUM_USER", 2, "PURCHASE"),
        ("RoleExtended", "COURSE_XYZ", 3, "PURCHASE"), ("RoleExtended", "PREMIUM_USER", 4, "PURCHASE"),
        ("RoleShortened", "COURSE_XYZ", 5, "CANCELLATION"),
        ("RoleShortened", "PREMIUM_USER", 6, "CANCELLATION")]
    with access_db.connect() as c:
        user_id, sequence = c.execute(text("SELECT id, role_sequence FROM users WHERE email = :e"),
                                      {"e": email}).one()
        roles = dict(c.execute(text("SELECT role, until FROM user_roles WHERE user_id = :u"),
                               {"u": user_id}).all())
        assert c.scalar(text("SELECT count(*) FROM outbox")) == 0, "rows leave with their insert"
    assert sequence == 6 and set(roles) == {"PREMIUM_USER", "COURSE_XYZ"}
    assert {r["user_id"] for _, _, r in events if r["email"] == email} == {user_id}


def test_nothing_reaches_the_wal_when_the_change_rolls_back(access_db, role_events):
    email = buyer()
    with uow(access_db) as work:
        grant_roles_for_sales(work, [Sale(f"p-{uuid.uuid4()}", email, "123456", ("COURSE_XYZ",),
                                          Duration.parse("P1M"), datetime.now(timezone.utc))])
    assert of(role_events(), email) == []


def test_an_operators_grant_end_and_the_users_deletion(access_db, role_events):
    email = buyer()
    sell(access_db, email, f"p-{uuid.uuid4()}", datetime.now(timezone.utc), roles=("COURSE_XYZ",))
    grant = grant_manually(uow(access_db), email, "COURSE_ABCD", "support case", period=("DAY", 7))
    end_grant(uow(access_db), email, grant.id, "granted by mistake")
    with access_db.connect() as c:
        ended = c.execute(text("SELECT source_id, end_reason, note, end_note FROM grants "
                               "WHERE id = :g"), {"g": grant.id}).one()
    assert tuple(ended) == (str(grant.id), "manual", "support case", "granted by mistake")
    delete_user(uow(access_db), email)
    events = role_events()
    assert of(events, email) == [
        ("RoleGranted", "COURSE_XYZ", 1, "PURCHASE"), ("RoleGranted", "COURSE_ABCD", 2, "MANUAL"),
        ("RoleRevoked", "COURSE_ABCD", 3, "MANUAL"), ("RoleRevoked", "COURSE_XYZ", 4, "USER_DELETED")]
    assert [r["source"] for _, _, r in events if r["email"] == email][1] == {
        "type": "MANUAL", "id": str(grant.id)}
    with access_db.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}) == 0


def test_two_schedulers_racing_over_the_same_due_grants_end_each_once(access_db, role_events):
    emails = [buyer() for _ in range(30)]
    start = datetime.now(timezone.utc) - timedelta(seconds=2)
    for email in emails:  # two roles each, granted as of 2 s ago for one second: due now
        sell(access_db, email, f"p-{uuid.uuid4()}", start, duration="PT1S", now=start)
    ready, failures = threading.Barrier(2), []

    def scheduler():
        try:
            ready.wait(10)
            while end_due_grants(uow(access_db), datetime.now(timezone.utc), limit=4).ended:
                pass
        except Exception as error:  # surfaced below: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures and not any(t.is_alive() for t in threads)

    def ended_rows():
        with access_db.connect() as c:
            return c.execute(text("SELECT g.end_reason, g.ended_at = g.ends_at FROM grants g "
                                  "JOIN users u ON u.id = g.user_id WHERE u.email = ANY(:e)"),
                             {"e": emails}).all()

    # The stack's own scheduler (access-expiry) may be running and take part in the race: a
    # grant it holds locked is skipped by these two, so wait for its commit too.
    rows = wait_for(lambda: (r := ended_rows()) and all(e for e, _ in r) and r, 30,
                    "every due grant ended")
    assert len(rows) == 60 and set(rows) == {("expiry", True)}
    revoked = [(r["email"], r["role"], r["sequence"]) for _, kind, r in role_events()
               if kind == "RoleRevoked" and r["email"] in emails]
    assert sorted(revoked) == sorted((e, role, n) for e in emails
                                     for role, n in (("COURSE_XYZ", 3), ("PREMIUM_USER", 4)))


def test_the_due_grants_are_read_from_the_partial_index_of_live_grants(access_db):
    with access_db.begin() as c:
        c.execute(text("SET LOCAL enable_seqscan = off"))
        plan = c.scalar(text("EXPLAIN (FORMAT JSON) SELECT user_id FROM grants WHERE ended_at IS "
                             "NULL AND ends_at <= now() ORDER BY ends_at LIMIT 500"))
        assert '"Index Name": "grants_live_by_end"' in str(plan).replace("'", '"')


def test_the_scheduler_ends_a_grant_on_time_without_any_request(access_db, role_events):
    email = buyer()
    scheduler, stop = Scheduler(lambda: uow(access_db), max_sleep=0.2), threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,))
    thread.start()
    try:
        sell(access_db, email, f"p-{uuid.uuid4()}", datetime.now(timezone.utc), duration="PT1S",
             roles=("COURSE_XYZ",))
        events = wait_for(lambda: [e for e in of(role_events(), email) if e[0] == "RoleRevoked"],
                          seconds=15, what="the RoleRevoked of a one-second grant")
    finally:
        stop.set()
        thread.join(10)
    # Ended by this scheduler or by the stack's own (access-expiry) if it runs: either way once,
    # by time, with no request. Its metrics are unit-tested (tests/unit/test_expiry_scheduler.py).
    assert events == [("RoleRevoked", "COURSE_XYZ", 2, "EXPIRY")]
    assert not thread.is_alive()


def test_the_connector_streams_role_events_to_access_role_keyed_by_user(access_db):
    """Through Debezium (connectors/access-outbox.json): topic access.role, key = user id,
    headers id and eventType, value = the Avro single-object encoding."""
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap(), "group.id": f"test-{uuid.uuid4()}",
                         "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics("access.role", timeout=10).topics["access.role"].partitions
        consumer.assign([TopicPartition("access.role", p, consumer.get_watermark_offsets(
            TopicPartition("access.role", p), timeout=10)[1]) for p in partitions])
        email = buyer()
        sell(access_db, email, f"p-{uuid.uuid4()}", datetime.now(timezone.utc))
        with access_db.connect() as c:
            key = str(c.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})).encode()
        messages = []

        def both_arrived():
            message = consumer.poll(0.5)
            if message is not None and not message.error() and message.key() == key:
                messages.append(message)
            return len(messages) == 2

        wait_for(both_arrived, seconds=60, what=f"two role events keyed {key!r} in access.role")
    finally:
        consumer.close()
    assert len({m.partition() for m in messages}) == 1
    for message, (role, sequence) in zip(messages, [("COURSE_XYZ", 1), ("PREMIUM_USER", 2)]):
        headers = dict(message.headers())
        kind, record = decode(message.value())
        assert (kind, record["role"], record["sequence"]) == ("RoleGranted", role, sequence)
        assert headers["eventType"] == b"RoleGranted" and headers["id"].decode() == record["event_id"]
