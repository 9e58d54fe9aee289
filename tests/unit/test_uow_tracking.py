"""Tracking aggregates by identity, in constant time per aggregate: each tracked aggregate's
events leave once, also after a failed savepoint cut the tracked list back (no database)."""
from dataclasses import dataclass, field

import pytest

from outbox.events import OutboxEvent
from outbox.uow import UnitOfWork
from tests.unit.test_uow_savepoint import Session


@dataclass
class Aggregate:  # a dataclass: two with the same events are equal, yet both are tracked
    events: list = field(default_factory=list)


def committed(monkeypatch) -> tuple[UnitOfWork, list]:
    published = []
    monkeypatch.setattr("outbox.uow.publish_all", lambda session, events: published.extend(events))
    return UnitOfWork(Session, to_outbox=lambda e: OutboxEvent("t", "k", e, {})), published


def test_an_aggregate_tracked_twice_leaves_its_events_once_and_an_equal_one_its_own(monkeypatch):
    uow, published = committed(monkeypatch)
    with uow:
        first, twin = Aggregate(["same"]), Aggregate(["same"])
        assert uow.track(first) is first and uow.track(first) is first
        uow.track(twin)
        uow.commit()
    assert [e.type for e in published] == ["same", "same"]


def test_an_aggregate_dropped_by_a_failed_savepoint_is_tracked_again_on_its_retry(monkeypatch):
    uow, published = committed(monkeypatch)
    with uow:
        kept, retried = Aggregate(["kept"]), Aggregate(["retried"])
        uow.track(kept)
        with pytest.raises(ValueError), uow.savepoint():
            uow.track(retried)
            raise ValueError("the first attempt fails")
        with uow.savepoint():
            uow.track(kept)
            uow.track(retried)
        uow.commit()
    assert [e.type for e in published] == ["kept", "retried"]
