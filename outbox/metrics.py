"""Prometheus metrics of one consumer: what it applied and parked, how far behind it is, and
how long an event took from its commit in the producer's database to its effect in ours.

Each runner has its own registry (served by outbox/health.py), so two runners in one process,
e.g. in the tests, never add to each other's counters.
"""
import json
import logging
import time
from datetime import datetime, timezone
from typing import Callable

from confluent_kafka import TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from outbox.codec import DecodingError
from outbox.envelope import header

log = logging.getLogger(__name__)

COMMITTED_AT_HEADER = "occurredAt"  # ISO-8601 UTC, from the outbox row's occurred_at column
DELAY_BUCKETS = (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800)
DURATION_BUCKETS = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30)
SIZE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


def committed_at(message) -> tuple[float, str] | None:
    """When the event was committed (epoch seconds), and which clock said so.

    The outbox row's own time when Debezium copied it into a header; otherwise the broker's
    append time (our topics use LogAppendTime), which comes after the commit by the time
    Debezium took to stream the row, so that part of the delay is missing from the figure."""
    raw = header(message, COMMITTED_AT_HEADER)
    if raw is not None:
        try:
            at = datetime.fromisoformat(raw)
            return at.replace(tzinfo=at.tzinfo or timezone.utc).timestamp(), "occurred_at"
        except ValueError:
            log.debug("unreadable %s header %r; using the Kafka timestamp", COMMITTED_AT_HEADER, raw)
    kind, ms = message.timestamp()
    if kind == TIMESTAMP_LOG_APPEND_TIME:
        return ms / 1000, "log_append_time"
    if kind == TIMESTAMP_CREATE_TIME:
        return ms / 1000, "create_time"
    return None


def partition_lags(stats: dict) -> dict[tuple[str, int], int]:
    """Messages behind the high watermark, per assigned partition, from librdkafka statistics.

    The position is the offset stored after our last commit, else the group's committed one,
    else the log start (a new group starts there: auto.offset.reset=earliest). librdkafka's own
    consumer_lag fields are -1 until something was stored or committed, hence computed here."""
    lags = {}
    for topic, about in stats.get("topics", {}).items():
        for partition, p in about.get("partitions", {}).items():
            if partition == "-1" or not p.get("desired") or p.get("hi_offset", -1) < 0:
                continue
            position = next((p[k] for k in ("stored_offset", "committed_offset", "lo_offset")
                             if p.get(k, -1) >= 0), None)
            if position is not None:
                lags[(topic, int(partition))] = max(0, p["hi_offset"] - position)
    return lags


class ConsumerMetrics:
    def __init__(self, consumer: str, wall_clock: Callable[[], float] = time.time):
        self.consumer = consumer
        self.wall_clock = wall_clock  # the delay compares two wall clocks: theirs and ours
        self.registry = registry = CollectorRegistry()
        labels = ["consumer"]
        self.applied = Counter("consumer_events_applied", "Events applied (committed), by type",
                               labels + ["event_type"], registry=registry)
        self.duplicates = Counter("consumer_events_duplicate",
                                  "Events skipped: already in the inbox", labels, registry=registry)
        self.dead_lettered = Counter(
            "consumer_events_dead_lettered", "Messages sent to the dead-letter topic; reason "
            "undecodable (not one of our events) or retries_exhausted (failed max_attempts times)",
            labels + ["reason"], registry=registry)
        self.batch_size = Histogram("consumer_batch_size", "Messages per batch", labels,
                                    buckets=SIZE_BUCKETS, registry=registry)
        self.batch_duration = Histogram(
            "consumer_batch_duration_seconds", "From taking a batch to its database commit",
            labels, buckets=DURATION_BUCKETS, registry=registry)
        self.delay = Histogram(
            "consumer_event_delay_seconds", "From an event's commit (source: occurred_at header, "
            "else the Kafka timestamp) to the commit of its effect", labels + ["source"],
            buckets=DELAY_BUCKETS, registry=registry)
        self.lag = Gauge("consumer_lag_messages", "Messages behind the partition's high "
                         "watermark (librdkafka statistics)", labels + ["topic", "partition"],
                         registry=registry)
        self.waiting = Gauge("consumer_waiting_for_database",
                             "1 while a batch is held because the database is away", labels,
                             registry=registry)
        self.waiting.labels(consumer).set(0)
        for reason in ("undecodable", "retries_exhausted"):  # present at 0, for rate() and alerts
            self.dead_lettered.labels(consumer, reason)
        for metric in (self.duplicates, self.batch_size, self.batch_duration):
            metric.labels(consumer)
        self.lagging: set[tuple[str, int]] = set()

    def batch_committed(self, size: int, outcome, seconds: float) -> None:
        """Right after the batch's commit: its effects are visible from now on."""
        now = self.wall_clock()
        self.batch_size.labels(self.consumer).observe(size)
        self.batch_duration.labels(self.consumer).observe(seconds)
        self.duplicates.labels(self.consumer).inc(outcome.duplicates)
        applied, delays = {}, {}  # by label first: a labelled child per event cost as much
        for envelope in outcome.applied:
            applied[envelope.event_type] = applied.get(envelope.event_type, 0) + 1
            when = committed_at(envelope.message)
            if when is not None:
                delays.setdefault(when[1], []).append(max(0.0, now - when[0]))
        for event_type, count in applied.items():
            self.applied.labels(self.consumer, event_type).inc(count)
        for source, seconds_each in delays.items():
            delay = self.delay.labels(self.consumer, source)
            for delay_s in seconds_each:
                delay.observe(delay_s)

    def parked(self, failures: list) -> None:
        for failure in failures:
            reason = "undecodable" if isinstance(failure.error, DecodingError) else "retries_exhausted"
            self.dead_lettered.labels(self.consumer, reason).inc()

    def waiting_for_database(self, waiting: bool) -> None:
        self.waiting.labels(self.consumer).set(1 if waiting else 0)

    def kafka_stats(self, stats_json: str) -> None:
        """librdkafka's stats_cb (statistics.interval.ms), called from poll() on the loop's
        thread. A paused partition is not fetched, so its high watermark, and lag, stay as
        they were when the database went away (consumer_waiting_for_database says so)."""
        lags = partition_lags(json.loads(stats_json))
        for gone in self.lagging - lags.keys():
            self.lag.remove(self.consumer, gone[0], str(gone[1]))
        for (topic, partition), lag in lags.items():
            self.lag.labels(self.consumer, topic, str(partition)).set(lag)
        self.lagging = set(lags)
