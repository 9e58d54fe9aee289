"""Payment events (the stored webhooks) on the unit of work's connection."""
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from apps.billing.adapters.tables import payment_events


@dataclass(frozen=True)
class Stored:
    id: int
    duplicate: bool  # True: an earlier webhook holds this provider event id or digest


class PaymentEventRepository:
    def __init__(self, session: Connection):
        self.session = session

    def add_once(self, provider_event_id: str | None, digest: str, event_type: str,
                 data: dict) -> Stored:
        """Inserts the webhook unless one with its provider event id or digest is stored.

        ON CONFLICT DO NOTHING without a target covers both unique columns, and holds under
        races: an insert that meets another transaction's uncommitted row waits for it, then
        does nothing if it committed. The next statement sees that row (READ COMMITTED), so
        the duplicate is answered with the first one's id."""
        new_id = self.session.scalar(
            pg_insert(payment_events)
            .values(provider_event_id=provider_event_id, digest=digest, type=event_type,
                    data=data, processed=False)
            .on_conflict_do_nothing().returning(payment_events.c.id))
        if new_id is not None:
            return Stored(new_id, duplicate=False)
        return Stored(self.first_of(provider_event_id, digest), duplicate=True)

    def first_of(self, provider_event_id: str | None, digest: str) -> int:
        """The stored id by provider event id first (the platform's own identity), else digest."""
        if provider_event_id is not None:
            found = self.session.scalar(select(payment_events.c.id).where(
                payment_events.c.provider_event_id == provider_event_id))
            if found is not None:
                return found
        return self.session.scalar(select(payment_events.c.id).where(
            payment_events.c.digest == digest))

    def mark_processed(self, payment_event_id: int) -> bool:
        """Sets `processed`; False if it was set already (or there is no such event). The row
        lock it takes holds a concurrent applier of the same event until this one commits."""
        done = self.session.scalar(
            update(payment_events)
            .where(payment_events.c.id == payment_event_id, payment_events.c.processed.is_(False))
            .values(processed=True).returning(payment_events.c.id))
        return done is not None
