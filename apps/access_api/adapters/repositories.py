"""Users and their grants on one session; the batch methods take one statement per batch."""
from collections import defaultdict

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from apps.access_api.adapters.tables import grants, users
from apps.access_api.domain.grants import Grant


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def id_for_update(self, email: str) -> int | None:
        """The user's id, row-locked so one user's grants change one transaction at a time."""
        return self.session.scalar(select(users.c.id).where(users.c.email == email).with_for_update())

    def ids_for_update(self, emails: list[str]) -> dict[str, int]:
        """Creates the users that do not exist yet; returns every id, row-locked (in id order,
        so two transactions locking overlapping sets cannot deadlock)."""
        unique = sorted(set(emails))
        self.session.execute(pg_insert(users).values([{"email": e} for e in unique])
                             .on_conflict_do_nothing())
        rows = self.session.execute(select(users.c.email, users.c.id)
                                    .where(users.c.email.in_(unique))
                                    .order_by(users.c.id).with_for_update())
        return {email: user_id for email, user_id in rows}

    def id_of(self, email: str) -> int | None:
        return self.session.scalar(select(users.c.id).where(users.c.email == email))


def _grant(row) -> Grant:
    return Grant(row.purchase_id, row.product_id, row.role, row.starts_at, row.ends_at,
                 row.revoked_at, id=row.id)


class GrantRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_user(self, user_id: int) -> list[Grant]:
        return self.for_users({user_id})[user_id]

    def for_users(self, user_ids: set[int]) -> dict[int, list[Grant]]:
        held = defaultdict(list)
        rows = self.session.execute(
            select(grants).where(grants.c.user_id.in_(user_ids)).order_by(grants.c.id))
        for row in rows:
            held[row.user_id].append(_grant(row))
        return held

    def add(self, new: list[tuple[int, Grant]]) -> None:
        if new:
            self.session.execute(insert(grants), [
                {"user_id": user_id, "purchase_id": g.purchase_id, "product_id": g.product_id,
                 "role": g.role, "starts_at": g.starts_at, "ends_at": g.ends_at}
                for user_id, g in new])

    def save(self, changed: list[Grant]) -> None:
        for g in changed:
            self.session.execute(update(grants).where(grants.c.id == g.id).values(
                starts_at=g.starts_at, ends_at=g.ends_at, revoked_at=g.revoked_at))
