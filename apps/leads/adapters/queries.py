"""Reading leads for people: a page of them, and the conversion summary, by opening date.

Both filter on `opened_at` through the `leads_by_opened_at` index; the summary is one aggregate
statement (counts only, no lead row leaves the database).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from apps.leads.adapters.repositories import lead_from_row
from apps.leads.adapters.tables import leads
from apps.leads.domain.model import Lead, LeadStatus


@dataclass(frozen=True)
class Counts:
    opened: int
    reminded: int  # reminded at some point, converted since or not
    converted: int


def opened_between(query, start: datetime | None, end: datetime | None):
    """Leads opened at or after `start` and before `end` (either may be open-ended)."""
    if start is not None:
        query = query.where(leads.c.opened_at >= start)
    if end is not None:
        query = query.where(leads.c.opened_at < end)
    return query


class LeadQueries:
    def __init__(self, session: Connection):
        self.session = session

    def page(self, status: LeadStatus | None, start: datetime | None, end: datetime | None,
             offset: int, limit: int) -> tuple[list[Lead], int]:
        """Newest first; and how many match in all."""
        query = opened_between(select(leads), start, end)
        if status is not None:
            query = query.where(leads.c.status == status.value)
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = self.session.execute(query.order_by(leads.c.opened_at.desc(), leads.c.id.desc())
                                    .offset(offset).limit(limit))
        return [lead_from_row(row) for row in rows], total

    def counts(self, start: datetime | None, end: datetime | None) -> Counts:
        converted = func.count().filter(leads.c.status == LeadStatus.CONVERTED.value)
        row = self.session.execute(opened_between(
            select(func.count(), func.count(leads.c.reminded_at), converted), start, end)).one()
        return Counts(*row)
