"""Leads on one connection (Core statements, like the sales and billing repositories).

Every lead it adds or loads is tracked, so the unit of work publishes its events at commit.
"""
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from apps.leads.adapters.tables import LIVE_PREDICATE, leads
from apps.leads.domain.model import LIVE, Lead, LeadStatus


def lead_from_row(row) -> Lead:
    return Lead(row.id, row.email, row.name, LeadStatus(row.status), row.opened_at,
                row.reminded_at, row.converted_at, row.order_id)


def due(opened_by: datetime, limit: int):
    """Up to `limit` open leads opened by `opened_by`, oldest first, locked; rows another
    transaction holds are skipped, so two schedulers share the work. Read from the partial index
    `leads_due`: the open leads only, however many were reminded or converted."""
    return (select(leads).where(leads.c.status == LeadStatus.OPEN.value,
                                leads.c.opened_at <= opened_by)
            .order_by(leads.c.opened_at).limit(limit).with_for_update(skip_locked=True))


class LeadRepository:
    def __init__(self, session: Connection, track):
        self.session, self.track = session, track

    def add_unless_live(self, lead: Lead) -> bool:
        """False, writing nothing, if the e-mail has a live lead (the partial unique index
        decides, so two requests at once add one)."""
        added = self.session.execute(
            insert(leads).values(id=lead.id, email=lead.email, name=lead.name,
                                 status=lead.status.value, opened_at=lead.opened_at)
            .on_conflict_do_nothing(index_elements=["email"], index_where=text(LIVE_PREDICATE))
            .returning(leads.c.id)).first()
        if added is not None:
            self.track(lead)
        return added is not None

    def live_of(self, email: str, lock: bool = False) -> Lead | None:
        query = select(leads).where(leads.c.email == email,
                                    leads.c.status.in_([s.value for s in LIVE]))
        row = self.session.execute(query.with_for_update() if lock else query).first()
        return None if row is None else self.track(lead_from_row(row))

    def lock_due(self, opened_by: datetime, limit: int) -> list[Lead]:
        return [self.track(lead_from_row(row))
                for row in self.session.execute(due(opened_by, limit))]

    def oldest_open(self) -> datetime | None:
        """When the longest-open lead was opened: the next one to fall due (index `leads_due`)."""
        return self.session.scalar(select(func.min(leads.c.opened_at))
                                   .where(leads.c.status == LeadStatus.OPEN.value))

    def save(self, lead: Lead) -> None:
        self.session.execute(update(leads).where(leads.c.id == lead.id).values(
            status=lead.status.value, reminded_at=lead.reminded_at,
            converted_at=lead.converted_at, order_id=lead.order_id))
