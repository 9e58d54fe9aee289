"""The abstract unit of work collects the events of what its repositories touched, at commit."""
from dataclasses import dataclass, field

import pytest

from outbox.events import OutboxEvent
from outbox.uow import AbstractUnitOfWork


@dataclass
class Account:
    """A stand-in aggregate: any object with an `events` list."""
    balance: int = 0
    events: list = field(default_factory=list)

    def deposit(self, amount):
        self.balance += amount
        self.events.append(("Deposited", amount))


class Accounts:
    def __init__(self, stored, track):
        self.stored, self.track = stored, track

    def get(self, name):
        return self.track(self.stored[name])


class MemoryUnitOfWork(AbstractUnitOfWork):
    def __init__(self, stored, to_outbox=lambda e: OutboxEvent("accounts", "a", e[0], {"amount": e[1]})):
        super().__init__(to_outbox)
        self.stored, self.written, self.rollbacks = stored, [], 0

    def __enter__(self):
        super().__enter__()
        self.accounts = Accounts(self.stored, self.track)
        return self

    def _commit(self, events):
        self.written.append(events)

    def rollback(self):
        self.rollbacks += 1


def deposit_twice(uow, name):
    """A use case that changes a loaded aggregate and never mentions events."""
    with uow:
        account = uow.accounts.get(name)
        account.deposit(5)
        uow.accounts.get(name).deposit(7)  # loaded again: still one aggregate, two events
        uow.commit()


def test_a_use_case_that_changes_an_aggregate_publishes_its_events_without_asking():
    uow = MemoryUnitOfWork({"ann": Account()})
    deposit_twice(uow, "ann")
    [events] = uow.written
    assert [(e.type, e.payload["amount"]) for e in events] == [("Deposited", 5), ("Deposited", 7)]
    assert uow.stored["ann"].events == []


def test_events_added_by_hand_come_first_and_leave_only_once():
    uow = MemoryUnitOfWork({"ann": Account()})
    with uow:
        uow.accounts.get("ann").deposit(1)
        uow.add_event(OutboxEvent("accounts", "a", "Opened", {}))
        uow.commit()
        uow.commit()
    assert [[e.type for e in batch] for batch in uow.written] == [["Opened", "Deposited"], []]


def test_leaving_without_commit_rolls_back_and_publishes_nothing():
    uow = MemoryUnitOfWork({"ann": Account()})
    with pytest.raises(RuntimeError), uow:
        uow.accounts.get("ann").deposit(1)
        raise RuntimeError("the use case failed")
    assert uow.written == [] and uow.rollbacks == 1


def test_events_without_a_mapper_fail_the_commit_instead_of_vanishing():
    uow = MemoryUnitOfWork({"ann": Account()}, to_outbox=None)
    with pytest.raises(TypeError, match="no mapper"), uow:
        uow.accounts.get("ann").deposit(1)
        uow.commit()
    assert uow.written == []
