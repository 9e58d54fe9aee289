"""An in-memory leads unit of work: the lead use cases and the `leads` consumer without a
database.

A SnapshotUnitOfWork (tests/unit/snapshot_uow.py): each `with` block works on a copy of the
committed leads. Stored leads are copies without events, as rows would be.
"""
from dataclasses import replace
from datetime import datetime

from apps.leads.adapters.events import to_outbox
from apps.leads.domain.model import LIVE, Lead, LeadStatus
from tests.unit.snapshot_uow import SnapshotUnitOfWork


def stored(lead: Lead) -> Lead:
    return replace(lead, events=[])


class FakeLeads:
    def __init__(self, rows: dict, track):
        self.rows, self.track = rows, track  # lead id -> Lead, without events

    def add_unless_live(self, lead: Lead) -> bool:
        if any(r.email == lead.email and r.status in LIVE for r in self.rows.values()):
            return False
        self.track(lead)
        self.rows[lead.id] = stored(lead)
        return True

    def live_of(self, email: str, lock: bool = False) -> Lead | None:
        live = [r for r in self.rows.values() if r.email == email and r.status in LIVE]
        return self.track(stored(live[0])) if live else None

    def lock_due(self, opened_by: datetime, limit: int) -> list[Lead]:
        due = sorted((r for r in self.rows.values()
                      if r.status is LeadStatus.OPEN and r.opened_at <= opened_by),
                     key=lambda r: r.opened_at)
        return [self.track(stored(r)) for r in due[:limit]]

    def oldest_open(self) -> datetime | None:
        return min((r.opened_at for r in self.rows.values() if r.status is LeadStatus.OPEN),
                   default=None)

    def save(self, lead: Lead) -> None:
        self.rows[lead.id] = stored(lead)


class FakeLeadsUnitOfWork(SnapshotUnitOfWork):
    def __init__(self, leads=()):
        super().__init__(to_outbox, {lead.id: stored(lead) for lead in leads})

    def open_repositories(self) -> None:
        self.leads = FakeLeads(self.working, self.track)

    def lead(self, email: str) -> Lead:
        """The committed lead of `email` opened last."""
        return max((r for r in self.committed.values() if r.email == email),
                   key=lambda r: r.opened_at)
