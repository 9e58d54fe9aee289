"""How long the inbox remembers event ids, from the topic's retention settings."""
from datetime import timedelta

from outbox.inbox import PURGE_MARGIN, inbox_window

DAY_MS = 24 * 3600 * 1000


def test_the_window_covers_retention_plus_one_segment_plus_a_margin():
    assert inbox_window(7 * DAY_MS, DAY_MS) == timedelta(days=8) + PURGE_MARGIN


def test_a_topic_kept_forever_means_ids_are_kept_forever():
    assert inbox_window(-1, DAY_MS) is None
