"""A savepoint that fails takes its events and tracked aggregates with it (no database)."""
from contextlib import nullcontext

import pytest

from outbox.events import OutboxEvent
from outbox.uow import UnitOfWork


class Session:
    def __init__(self):
        self.committed = None

    def begin_nested(self):
        return nullcontext()

    def commit(self):
        self.committed = True

    def rollback(self):
        pass

    def close(self):
        pass


class Aggregate:
    def __init__(self, name):
        self.events = [name]


def test_events_and_aggregates_of_a_failed_savepoint_are_dropped_the_others_kept(monkeypatch):
    published = []
    monkeypatch.setattr("outbox.uow.publish_all", lambda session, events: published.extend(events))
    uow = UnitOfWork(Session, to_outbox=lambda e: OutboxEvent("t", "k", e, {}))
    with uow:
        with uow.savepoint():
            uow.track(Aggregate("kept"))
        with pytest.raises(ValueError), uow.savepoint():
            uow.track(Aggregate("dropped"))
            uow.add_event(OutboxEvent("t", "k", "dropped too", {}))
            raise ValueError("this event's own failure")
        uow.commit()
    assert [e.type for e in published] == ["kept"]
