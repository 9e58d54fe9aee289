"""Users and their grants on one session; the batch methods take one statement per batch.

Batch statements pass each column as one array (`unnest`, `= ANY`), so their SQL text is the
same whatever the batch size and SQLAlchemy compiles it once; a multi-row VALUES list would be
compiled anew for every batch, which cost more than the database work.
"""
from collections import defaultdict

from sqlalchemy import BigInteger, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from apps.access_api.adapters.tables import grants, users
from apps.access_api.domain.grants import Grant


CREATE_USERS = text("INSERT INTO users (email) SELECT unnest(CAST(:emails AS text[])) "
                    "ON CONFLICT DO NOTHING")
LOCK_USERS = text("SELECT email, id FROM users WHERE email = ANY(CAST(:emails AS text[])) "
                  "ORDER BY id FOR UPDATE")
ADD_GRANTS = text(
    "INSERT INTO grants (user_id, purchase_id, product_id, role, starts_at, ends_at) "
    "SELECT * FROM unnest(CAST(:user_ids AS bigint[]), CAST(:purchase_ids AS text[]), "
    "CAST(:product_ids AS text[]), CAST(:roles AS text[]), CAST(:starts AS timestamptz[]), "
    "CAST(:ends AS timestamptz[]))")


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
        self.session.execute(CREATE_USERS, {"emails": unique})
        rows = self.session.execute(LOCK_USERS, {"emails": unique})
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
            select(grants).where(grants.c.user_id == func.any(bindparam("ids", type_=ARRAY(BigInteger))))
            .order_by(grants.c.id), {"ids": list(user_ids)})
        for row in rows:
            held[row.user_id].append(_grant(row))
        return held

    def add(self, new: list[tuple[int, Grant]]) -> None:
        if new:
            self.session.execute(ADD_GRANTS, {
                "user_ids": [user_id for user_id, _ in new],
                "purchase_ids": [g.purchase_id for _, g in new],
                "product_ids": [g.product_id for _, g in new],
                "roles": [g.role for _, g in new],
                "starts": [g.starts_at for _, g in new],
                "ends": [g.ends_at for _, g in new]})

    def save(self, changed: list[Grant]) -> None:
        for g in changed:
            self.session.execute(update(grants).where(grants.c.id == g.id).values(
                starts_at=g.starts_at, ends_at=g.ends_at, revoked_at=g.revoked_at))
