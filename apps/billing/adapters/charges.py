"""Subscription charges, their attempts, and the marker of a charge being sent.

A charge row is claimed (inserted pending) in one transaction, sent to the platform outside any,
and settled in another. While it is being sent, its sender holds a session advisory lock named
after its request id (`ChargeLocks`): the only in-flight marker, and one that dies with the
sender's connection, so a pending charge whose lock is free is one nobody is sending (the platform
was away, or its sender died) and anyone may send it again with the same request id.
"""
from contextlib import contextmanager

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection, Engine

from apps.billing.adapters.tables import charge_attempts, subscription_charges
from apps.billing.domain.charges import Charge, ChargeKind, ChargeStatus

charges = subscription_charges


def charge_from_row(row) -> Charge:
    return Charge(row.request_id, row.subscription_id, row.period, ChargeKind(row.kind),
                  row.plan_id, row.amount, row.currency, ChargeStatus(row.status), row.charge_id,
                  row.detail, row.created_at, row.updated_at)


class ChargeRepository:
    def __init__(self, session: Connection):
        self.session = session

    def claim(self, charge: Charge) -> Charge | None:
        """Inserts the charge pending, or None if its request id, or its subscription, period and
        kind, are taken (a concurrent claim is waited for: then its row is there to read)."""
        row = self.session.execute(
            pg_insert(charges).values(
                request_id=charge.request_id, subscription_id=charge.subscription_id,
                period=charge.period, kind=charge.kind.value, plan_id=charge.plan_id,
                amount=charge.amount, currency=charge.currency, status=charge.status.value)
            .on_conflict_do_nothing().returning(*charges.c)).first()
        return None if row is None else charge_from_row(row)

    def get(self, request_id: str) -> Charge | None:
        row = self.session.execute(select(charges).where(charges.c.request_id == request_id)).first()
        return None if row is None else charge_from_row(row)

    def of_period(self, subscription_id: str, period: int, kind: ChargeKind) -> Charge | None:
        row = self.session.execute(select(charges).where(
            charges.c.subscription_id == subscription_id, charges.c.period == period,
            charges.c.kind == kind.value)).first()
        return None if row is None else charge_from_row(row)

    def settle(self, request_id: str, status: ChargeStatus, charge_id: str,
               detail: str | None) -> Charge | None:
        """The platform's answer on a pending charge; None if it was settled already."""
        row = self.session.execute(
            update(charges).where(charges.c.request_id == request_id,
                                  charges.c.status == ChargeStatus.PENDING.value)
            .values(status=status.value, charge_id=charge_id, detail=detail,
                    updated_at=func.clock_timestamp())
            .returning(*charges.c)).first()
        return None if row is None else charge_from_row(row)


class ChargeLocks:
    """`with locks.sending(request_id) as mine:` holds the charge's advisory lock while it is sent
    (`mine` False: someone else is sending it now). The lock is a session lock on a connection
    of its own in autocommit: no transaction stays open during the platform call."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def sending(self, request_id: str):
        key = {"key": f"subscription-charge:{request_id}"}
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            mine = connection.scalar(text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"),
                                     key)
            try:
                yield mine
            finally:
                if mine:
                    connection.execute(text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"),
                                       key)


class ChargeAttempts:
    """Every call to the platform for a charge, each committed on its own connection: an attempt
    is on record even when the transaction that follows it never commits."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, request_id: str, outcome: str, detail: str | None = None) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(charge_attempts).values(
                request_id=request_id, outcome=outcome, detail=detail))

    def of(self, request_id: str) -> list:
        with self.engine.connect() as connection:
            return connection.execute(
                select(charge_attempts.c.outcome, charge_attempts.c.detail)
                .where(charge_attempts.c.request_id == request_id)
                .order_by(charge_attempts.c.id)).all()
