"""An in-memory billing unit of work: the webhook and payment use cases without a database.

A SnapshotUnitOfWork (tests/unit/snapshot_uow.py): each `with` block works on a copy of the
committed rows. Stored subscriptions are copies without events, as rows would be.
"""
from dataclasses import dataclass, field, replace

from apps.billing.adapters.events import to_outbox
from apps.billing.adapters.payment_events import Stored
from apps.billing.domain.model import Plan, Subscription
from tests.unit.snapshot_uow import SnapshotUnitOfWork


def stored(subscription: Subscription) -> Subscription:
    return replace(subscription, events=[])


@dataclass
class Rows:
    plans: dict = field(default_factory=dict)  # id -> Plan
    subscriptions: dict = field(default_factory=dict)  # id -> Subscription, without events
    payment_events: dict = field(default_factory=dict)  # id -> dict of the columns


class FakePlans:
    def __init__(self, rows: dict):
        self.rows = rows

    def get(self, plan_id: str, lock: bool = False) -> Plan | None:
        return self.rows.get(plan_id)


class FakeSubscriptions:
    def __init__(self, rows: dict, track):
        self.rows, self.track = rows, track

    def add(self, subscription: Subscription) -> None:
        self.track(subscription)
        self.rows[subscription.id] = stored(subscription)

    def get(self, subscription_id: str, lock: bool = False) -> Subscription | None:
        row = self.rows.get(subscription_id)
        return None if row is None else self.track(stored(row))

    def save(self, subscription: Subscription) -> None:
        self.rows[subscription.id] = stored(subscription)


class FakePaymentEvents:
    def __init__(self, rows: dict):
        self.rows = rows

    def add_once(self, provider_event_id, digest, event_type, data) -> Stored:
        for event_id, row in sorted(self.rows.items()):
            if provider_event_id is not None and row["provider_event_id"] == provider_event_id:
                return Stored(event_id, duplicate=True)
        for event_id, row in sorted(self.rows.items()):
            if row["digest"] == digest:
                return Stored(event_id, duplicate=True)
        new_id = max(self.rows, default=0) + 1
        self.rows[new_id] = {"provider_event_id": provider_event_id, "digest": digest,
                             "type": event_type, "data": data, "processed": False}
        return Stored(new_id, duplicate=False)

    def mark_processed(self, payment_event_id: int) -> bool:
        row = self.rows.get(payment_event_id)
        if row is None or row["processed"]:
            return False
        row["processed"] = True
        return True


class FakeBillingUnitOfWork(SnapshotUnitOfWork):
    def __init__(self, plans=(), subscriptions=()):
        super().__init__(to_outbox, Rows({p.id: p for p in plans},
                                         {s.id: stored(s) for s in subscriptions}))

    def open_repositories(self) -> None:
        self.plans = FakePlans(self.working.plans)
        self.subscriptions = FakeSubscriptions(self.working.subscriptions, self.track)
        self.payment_events = FakePaymentEvents(self.working.payment_events)
