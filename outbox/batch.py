"""Applying a batch of events in one database transaction, exactly once, isolating failures.

The fast path records every event id in the inbox with one statement, applies the new events
(runs of one event type go to a batch handler when the consumer has one, so it can use
set-based SQL), and commits once. If anything in it fails for a reason of the message (not of
the database), the whole transaction is rolled back and the batch is applied again one event
at a time, each in a savepoint, so the failing event is retried a bounded number of times and
then set aside for the dead-letter topic while the rest of the batch still commits. Events are
applied in the order they were consumed, so one key's events keep their order.
"""
import logging
from dataclasses import dataclass, field
from itertools import groupby
from typing import Callable

from outbox.envelope import Envelope

log = logging.getLogger(__name__)

Handler = Callable[[object, object], None]  # (event, unit of work)
BatchHandler = Callable[[list, object], None]  # (events of one type, in order, unit of work)


@dataclass(frozen=True)
class Failure:
    message: object  # the Kafka message to dead-letter
    error: Exception


@dataclass
class Outcome:
    applied: list[Envelope] = field(default_factory=list)  # committed, in consumption order
    duplicates: int = 0
    failed: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class Handlers:
    """Per event type: a handler of one event, and optionally one of a whole run of them."""
    one: dict[str, Handler]
    many: dict[str, BatchHandler] = field(default_factory=dict)

    def apply(self, event_type: str, events: list, uow) -> None:
        if event_type in self.many:
            self.many[event_type](events, uow)
        elif event_type in self.one:
            for event in events:
                self.one[event_type](event, uow)
        else:
            # Recorded in the inbox all the same: a type nobody handles is not an error.
            log.info("no handler for %s; %d recorded and ignored", event_type, len(events))


class BatchApplier:
    def __init__(self, consumer: str, handlers: Handlers, uow_factory: Callable,
                 max_attempts: int, transient_errors: tuple):
        self.consumer = consumer
        self.handlers = handlers
        self.uow_factory = uow_factory
        self.max_attempts = max_attempts
        self.transient_errors = transient_errors

    def apply(self, envelopes: list[Envelope]) -> Outcome:
        """Raises only the transient errors (the database is away): then nothing committed."""
        if not envelopes:
            return Outcome()
        try:
            return self.all_at_once(envelopes)
        except self.transient_errors:
            raise
        except Exception as error:
            log.warning("%s: a batch of %d failed (%r); applying it one event at a time",
                        self.consumer, len(envelopes), error)
            return self.one_at_a_time(envelopes)

    def all_at_once(self, envelopes: list[Envelope]) -> Outcome:
        with self.uow_factory() as uow:
            fresh = self.new_only(uow, envelopes)
            for event_type, run in groupby(fresh, key=lambda e: e.event_type):
                self.handlers.apply(event_type, [e.event for e in run], uow)
            uow.commit()
        return Outcome(applied=fresh, duplicates=len(envelopes) - len(fresh))

    def one_at_a_time(self, envelopes: list[Envelope]) -> Outcome:
        outcome = Outcome()
        with self.uow_factory() as uow:
            for envelope in envelopes:
                error, fresh = None, []
                for attempt in range(1, self.max_attempts + 1):
                    try:
                        with uow.savepoint():
                            fresh = self.new_only(uow, [envelope])
                            if fresh:
                                self.handlers.apply(envelope.event_type, [envelope.event], uow)
                        error = None
                        break
                    except self.transient_errors:
                        raise
                    except Exception as exc:  # this event's own failure: its savepoint is gone
                        error = exc
                        log.warning("%s: %s %s attempt %d/%d failed: %r", self.consumer,
                                    envelope.event_type, envelope.event_id, attempt,
                                    self.max_attempts, exc)
                if error is not None:
                    outcome.failed.append(Failure(envelope.message, error))
                elif fresh:
                    outcome.applied.append(envelope)
                else:
                    outcome.duplicates += 1
            uow.commit()
        return outcome

    def new_only(self, uow, envelopes: list[Envelope]) -> list[Envelope]:
        """The envelopes whose event id this consumer never applied, first copy only."""
        new_ids = uow.inbox.record_new(self.consumer,
                                       [(e.event_id, e.event_type) for e in envelopes])
        fresh = []
        for envelope in envelopes:
            if envelope.event_id in new_ids:
                new_ids.discard(envelope.event_id)  # a second copy in the same batch is a duplicate
                fresh.append(envelope)
        return fresh
