"""Rebuilding the course-access projection from scratch from the role events in access.role.

It relies on access.role keeping every event ever written (retention.ms=-1, no compaction:
the stack creates the topic so). What can be checked is checked, and a topic that fails it is
refused: a compacted topic, or one that has lost messages from the start of a partition.

1. A scratch schema gets empty copies of the projection's tables.
2. Every role event from offset 0 to the topic's current end is applied to it by the consumer's
   own handlers (`apps/consumers/course_access.py`), in batches, like the live consumer would.
3. One transaction on the live tables locks writers out (readers go on), applies the events
   that arrived meanwhile to the copy, replaces the live rows with the copy's, and commits.
4. The scratch schema is dropped.

The live consumer may run throughout: an event it applied before the lock is below the end read
under the lock, so it is in the copy; what it applies after the commit lands on the rebuilt
rows, where an event the copy already holds is ignored by its sequence. Its inbox is left alone.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from apps.consumers import course_access as consumer
from apps.course_access.adapters import projection
from apps.course_access.service.uow import CoursesUnitOfWork
from outbox.batch import BatchApplier, Handlers
from outbox.codec import DecodingError
from outbox.envelope import open_envelope
from outbox.replay import Offsets, TopicReader, retention_ms

log = logging.getLogger(__name__)


@dataclass
class Report:
    topic: str
    retention_ms: int
    read: int = 0
    skipped: list[str] = field(default_factory=list)  # "partition:offset error": not applied


class Rebuild:
    def __init__(self, db_url: str, bootstrap: str, topic: str = consumer.TOPIC,
                 schema: str = "public", batch_size: int = 500):
        self.live, self.scratch = schema, projection.identifier(f"{schema}_rebuild")
        self.engine = create_engine(db_url)
        self.scratch_engine = create_engine(
            db_url, connect_args={"options": f"-c search_path={self.scratch}"})
        self.applier = BatchApplier(f"{consumer.GROUP}-rebuild",
                                    Handlers(consumer.HANDLERS, consumer.BATCH_HANDLERS),
                                    lambda: CoursesUnitOfWork(self.scratch_engine.connect),
                                    max_attempts=3, transient_errors=(OperationalError,))
        self.bootstrap, self.topic, self.batch_size = bootstrap, topic, batch_size

    def run(self) -> Report:
        """Raises IncompleteTopic if the topic is not complete, RebuildRunning if another
        rebuild of this projection is under way; either, like any failure before the final
        commit, leaves the live projection as it was."""
        report = Report(self.topic, retention_ms(self.bootstrap, self.topic))
        reader = TopicReader(self.bootstrap, self.topic)
        try:
            with projection.sole_rebuild(self.engine, self.live):
                self.rebuild(reader, report)
        finally:
            reader.close()
            self.engine.dispose()
        return report

    def rebuild(self, reader: TopicReader, report: Report) -> None:
        starts = reader.check_complete()
        try:
            with self.engine.begin() as connection:
                projection.create_copy(connection, self.live, self.scratch)
            ends = reader.ends()
            self.replay(reader, starts, ends, report)
            with self.engine.begin() as connection:
                projection.lock_writers_out(connection, self.live)
                self.replay(reader, ends, reader.ends(), report)
                projection.replace_with(connection, self.live, self.scratch)
        finally:
            self.scratch_engine.dispose()
            with self.engine.begin() as connection:
                projection.drop(connection, self.scratch)

    def replay(self, reader: TopicReader, starts: Offsets, ends: Offsets, report: Report) -> None:
        for messages in reader.read(starts, ends, self.batch_size):
            envelopes = []
            for message in messages:
                try:
                    envelopes.append(open_envelope(message, consumer.EVENT_TYPES))
                except DecodingError as error:  # the live consumer dead-lettered it as well
                    report.skipped.append(f"{message.partition()}:{message.offset()} {error}")
            outcome = self.applier.apply(envelopes)
            report.skipped += [f"{f.message.partition()}:{f.message.offset()} {f.error!r}"
                               for f in outcome.failed]
            report.read += len(messages)
