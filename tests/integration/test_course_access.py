"""The course-access consumer on real Kafka and PostgreSQL: Avro role events written with the
real codec, a real runner, the courses database. A stale event is ignored; a replayed topic
gives the same projection; a rebuild from the topic equals the live projection, even while the
consumer runs; a topic that has lost events is refused.

Each test has its own topic and its own copy of the projection's tables (a schema in the
courses database, reached through the connection's search_path), so the stack's own
consumer-course-access and its tables are never touched.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from sqlalchemy import create_engine, text

from apps.consumers.runner import build
from apps.course_access.adapters import projection
from apps.course_access.adapters.projection import RebuildRunning
from apps.course_access.adapters.tables import PROJECTION
from apps.course_access.rebuild import Rebuild
from apps.settings import database_url, kafka_bootstrap
from outbox.codec import encode
from outbox.replay import IncompleteTopic, TopicReader
from tests.integration.polling import wait_for
from tests.integration.runners import RunnerThreads

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
MONTH = T0 + timedelta(days=31)


@pytest.fixture
def new_topic(stack):
    """Makes fresh topics (3 partitions, kept forever like access.role); deletes them after."""
    admin, made = AdminClient({"bootstrap.servers": kafka_bootstrap()}), []

    def make(config=None) -> str:
        name = f"test.role.{uuid.uuid4().hex[:8]}"
        for future in admin.create_topics([
                NewTopic(name, 3, 1, config={"retention.ms": "-1", **(config or {})}),
                NewTopic(f"{name}.dlq", 1, 1)]).values():
            future.result(30)
        made.extend([name, f"{name}.dlq"])
        return name

    yield make
    if made:
        for future in admin.delete_topics(made).values():
            future.result(30)


@pytest.fixture
def schema(stack):
    """A schema with empty copies of the projection's tables and inbox."""
    name = f"test_courses_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url("courses"))
    with engine.begin() as connection:
        projection.create_copy(connection, "public", name)
    yield name
    with engine.begin() as connection:
        projection.drop(connection, name)
    engine.dispose()


def url_of(schema: str) -> str:
    return f"{database_url('courses')}?options=-csearch_path%3D{schema}"


@pytest.fixture
def start_consumer():
    """Starts the course-access runner on a topic and a schema in a thread; stops it after."""
    threads = RunnerThreads()

    def start(topic: str, schema: str):
        return threads.start(build(
            "course-access", topic=topic, dead_letter_topic=f"{topic}.dlq",
            group=f"test-{uuid.uuid4().hex[:8]}", db_url=url_of(schema),
            derive_inbox_window=False, poll_timeout_s=0.2, retry_backoff_s=0.05))

    yield start
    threads.stop_all()


class Events:
    """Role events of one user, numbered as the access service numbers them."""

    def __init__(self):
        self.user_id = uuid.uuid4().int % 10**12
        self.email = f"{uuid.uuid4().hex[:8]}@example.com"
        self.sequence = 0

    def next(self, event_type: str, role: str, until: datetime, sequence: int | None = None,
             **extra) -> dict:
        """The Kafka message of the user's next event (or of `sequence`: a stale one)."""
        if sequence is None:
            self.sequence += 1
        event_id = str(uuid.uuid4())
        record = {"event_id": event_id, "user_id": self.user_id, "email": self.email,
                  "role": role, "sequence": sequence or self.sequence, "reason": "PURCHASE",
                  "source": {"type": "PURCHASE", "id": "p-1"},
                  "occurred_at": T0 + timedelta(seconds=sequence or self.sequence),
                  "until": until, **extra}
        return {"key": str(self.user_id), "value": encode(event_type, record),
                "headers": [("id", event_id.encode()), ("eventType", event_type.encode())],
                "record": record, "type": event_type}


def send(topic: str, messages: list[dict]) -> None:
    producer = Producer({"bootstrap.servers": kafka_bootstrap()})
    for m in messages:
        producer.produce(topic, key=m["key"], value=m["value"], headers=m["headers"])
    assert producer.flush(30) == 0


def snapshot(schema: str) -> dict[str, list[tuple]]:
    """Every row of the projection's tables, in key order, as of one moment: one REPEATABLE READ
    transaction, so a consumer commit between two of the reads cannot mix two states."""
    engine = create_engine(url_of(schema), isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            return {t.name: [tuple(r) for r in connection.execute(
                text(f"SELECT * FROM {t.name} ORDER BY 1, 2"))] for t in PROJECTION}
    finally:
        engine.dispose()


def settled(schema: str, condition, what: str) -> dict[str, list[tuple]]:
    """The projection's rows once `condition(rows)` holds."""
    seen = {}

    def check():
        seen["rows"] = snapshot(schema)
        return condition(seen["rows"])

    wait_for(check, what=what)
    return seen["rows"]


def expected(messages: list[dict]) -> dict[str, list[tuple]]:
    """What the events say, worked out apart from the code under test: per user and role the
    event with the highest sequence decides; PREMIUM_USER is the platform, COURSE_X course X."""
    newest, learners = {}, {}
    for m in messages:
        r = m["record"]
        key = (r["user_id"], r["role"])
        if key not in newest or r["sequence"] > newest[key]["record"]["sequence"]:
            newest[key] = m
        if r["user_id"] not in learners or r["sequence"] > learners[r["user_id"]][2]:
            learners[r["user_id"]] = (r["user_id"], r["email"], r["sequence"])
    platform, courses = [], []
    for (user_id, role), m in sorted(newest.items()):
        r = m["record"]
        state = (m["type"] != "RoleRevoked", r["until"], r["sequence"], r["occurred_at"])
        if role == "PREMIUM_USER":
            platform.append((user_id, *state))
        else:
            courses.append((user_id, role.removeprefix("COURSE_"), *state))
    return {"learners": sorted(learners.values()), "platform_access": sorted(platform),
            "course_access": sorted(courses)}


def history(user: Events) -> list[dict]:
    return [user.next("RoleGranted", "PREMIUM_USER", MONTH),
            user.next("RoleGranted", "COURSE_XYZ", MONTH),
            user.next("RoleExtended", "PREMIUM_USER", MONTH + timedelta(days=30), previous_until=MONTH),
            user.next("RoleGranted", "COURSE_ABCD", MONTH),
            user.next("RoleShortened", "COURSE_XYZ", MONTH - timedelta(days=9), previous_until=MONTH),
            user.next("RoleRevoked", "COURSE_ABCD", T0 + timedelta(days=2))]


def test_a_stale_event_is_ignored(new_topic, schema, start_consumer):
    topic, user = new_topic(), Events()
    granted = user.next("RoleGranted", "COURSE_XYZ", MONTH)
    later = MONTH + timedelta(days=30)
    revoked = [user.next("RoleExtended", "COURSE_XYZ", later, previous_until=MONTH),
               user.next("RoleRevoked", "COURSE_XYZ", T0 + timedelta(days=3))]
    # Stale, with new event ids (the inbox cannot know them): sequence 2 again, and 1 again.
    stale = [user.next("RoleExtended", "COURSE_XYZ", later + timedelta(days=1), sequence=2,
                       previous_until=later), user.next("RoleGranted", "COURSE_XYZ", MONTH, sequence=1)]
    sentinel = user.next("RoleGranted", "COURSE_SENTINEL", MONTH)
    send(topic, [granted, *revoked, *stale, granted, sentinel])  # and a duplicate of the first
    start_consumer(topic, schema)
    rows = settled(schema, lambda rows: any(c[1] == "SENTINEL" for c in rows["course_access"]),
                   "the sentinel course")
    xyz = [row for row in rows["course_access"] if row[1] == "XYZ"]
    assert xyz == [(user.user_id, "XYZ", False, T0 + timedelta(days=3), 3, T0 + timedelta(seconds=3))]
    assert rows["learners"] == [(user.user_id, user.email, 4)]


def test_a_replayed_topic_gives_the_same_projection_and_a_rebuild_equals_it(
        new_topic, schema, start_consumer):
    topic, users = new_topic(), [Events() for _ in range(6)]
    messages = [m for user in users for m in history(user)]
    messages.append(users[0].next("RoleGranted", "COURSE_XYZ", MONTH, sequence=2))  # stale
    send(topic, messages)
    runner = start_consumer(topic, schema)
    live = settled(schema, lambda rows: rows == expected(messages), "the projection of every event")

    # The topic replayed: every message again, with its own id and with a new one.
    replayed = [{**m, "headers": [("id", str(uuid.uuid4()).encode())]} for m in messages]
    send(topic, messages + replayed)
    wait_for(lambda: sum(runner.counts.values()) >= 3 * len(messages), what="the replay consumed")
    assert runner.counts["duplicates"] == len(messages)
    assert snapshot(schema) == live

    # Damage the live projection; the rebuild, with the consumer running, restores it.
    engine = create_engine(url_of(schema))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM course_access WHERE user_id = :u"), {"u": users[1].user_id})
        connection.execute(text("UPDATE platform_access SET until = until + interval '1 year'"))
        connection.execute(text("INSERT INTO learners VALUES (1, 'ghost@example.com', 99)"))
    engine.dispose()
    assert snapshot(schema) != live
    report = Rebuild(database_url("courses"), kafka_bootstrap(), topic, schema=schema,
                     batch_size=7).run()
    assert report.read == 3 * len(messages) and report.skipped == []
    assert snapshot(schema) == live

    # The consumer goes on on the rebuilt rows.
    after = users[2].next("RoleRevoked", "PREMIUM_USER", T0 + timedelta(days=4))
    send(topic, [after])
    messages.append(after)
    wait_for(lambda: snapshot(schema) == expected(messages), what="an event after the rebuild")


def test_a_rebuild_refuses_a_topic_that_lost_events_and_leaves_the_projection(new_topic, schema):
    user = Events()
    kept_forever, compacted = new_topic(), new_topic({"cleanup.policy": "compact"})
    messages = history(user)
    for topic in (kept_forever, compacted):
        send(topic, messages)
    Rebuild(database_url("courses"), kafka_bootstrap(), kept_forever, schema=schema).run()
    before = snapshot(schema)
    assert before == expected(messages)

    reader = TopicReader(kafka_bootstrap(), kept_forever)
    try:  # one user: one key, one partition
        [partition] = [p for p, (_, end) in reader.watermarks().items() if end > 0]
    finally:
        reader.close()
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    for future in admin.delete_records([TopicPartition(kept_forever, partition, 1)]).values():
        future.result(30)
    for topic, reason in ((kept_forever, "lost its oldest messages"), (compacted, "is compacted")):
        with pytest.raises(IncompleteTopic, match=reason):
            Rebuild(database_url("courses"), kafka_bootstrap(), topic, schema=schema).run()
    assert snapshot(schema) == before


def test_one_rebuild_at_a_time(new_topic, schema):
    topic, engine = new_topic(), create_engine(database_url("courses"))
    try:
        with projection.sole_rebuild(engine, schema):  # as a rebuild under way holds it
            with pytest.raises(RebuildRunning):
                Rebuild(database_url("courses"), kafka_bootstrap(), topic, schema=schema).run()
    finally:
        engine.dispose()
    assert Rebuild(database_url("courses"), kafka_bootstrap(), topic, schema=schema).run().read == 0
