"""The inbox purge on the real access database, and its window read from a real topic."""
import uuid
from datetime import timedelta

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from sqlalchemy import create_engine, func, select, text

from apps.settings import database_url, kafka_bootstrap
from outbox.inbox import PURGE_MARGIN, Inbox
from outbox.retention import inbox_window_for
from outbox.table import processed_events

pytestmark = pytest.mark.integration
DAY_MS = 24 * 3600 * 1000


def test_rows_older_than_the_window_are_purged_newer_ones_and_other_consumers_kept(stack):
    engine = create_engine(database_url("access"))
    consumer, other = f"purge-{uuid.uuid4().hex[:8]}", f"other-{uuid.uuid4().hex[:8]}"
    try:
        with engine.begin() as c:
            for name in (consumer, other):
                c.execute(text(
                    "INSERT INTO processed_events (consumer, event_id, event_type, processed_at) "
                    "SELECT :c, 'old-' || g, 'T', now() - interval '10 days' FROM generate_series(1, 30) g "
                    "UNION ALL SELECT :c, 'new-' || g, 'T', now() - interval '7 days' FROM generate_series(1, 5) g"),
                    {"c": name})
        with engine.begin() as c:
            purged = Inbox(c).purge(consumer, timedelta(days=8))
        with engine.connect() as c:
            left = dict(c.execute(select(processed_events.c.consumer, func.count())
                                  .where(processed_events.c.consumer.in_([consumer, other]))
                                  .group_by(processed_events.c.consumer)).all())
        assert purged == 30 and left == {consumer: 5, other: 35}
    finally:
        with engine.begin() as c:
            c.execute(processed_events.delete().where(processed_events.c.consumer.in_([consumer, other])))
        engine.dispose()


def test_the_window_is_read_from_the_topics_retention_and_segment_settings(stack):
    name = f"test.retention.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap()})
    config = {"retention.ms": str(3 * DAY_MS), "segment.ms": str(DAY_MS // 2)}
    for future in admin.create_topics([NewTopic(name, 1, 1, config=config)]).values():
        future.result(30)
    try:
        assert inbox_window_for(kafka_bootstrap(), [name]) == timedelta(days=3.5) + PURGE_MARGIN
        assert inbox_window_for(kafka_bootstrap(), [name, f"{name}.missing"]) is None
    finally:
        admin.delete_topics([name])
