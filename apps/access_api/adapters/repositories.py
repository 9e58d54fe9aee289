"""Users and their grants on one session."""
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

    def get_or_create_for_update(self, email: str) -> int:
        self.session.execute(pg_insert(users).values(email=email).on_conflict_do_nothing())
        return self.id_for_update(email)

    def id_of(self, email: str) -> int | None:
        return self.session.scalar(select(users.c.id).where(users.c.email == email))


class GrantRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_user(self, user_id: int) -> list[Grant]:
        rows = self.session.execute(
            select(grants).where(grants.c.user_id == user_id).order_by(grants.c.id))
        return [Grant(r.purchase_id, r.product_id, r.role, r.starts_at, r.ends_at, r.revoked_at,
                      id=r.id) for r in rows]

    def add(self, user_id: int, new_grants: list[Grant]) -> None:
        if new_grants:
            self.session.execute(insert(grants), [
                {"user_id": user_id, "purchase_id": g.purchase_id, "product_id": g.product_id,
                 "role": g.role, "starts_at": g.starts_at, "ends_at": g.ends_at}
                for g in new_grants])

    def save(self, changed: list[Grant]) -> None:
        for g in changed:
            self.session.execute(update(grants).where(grants.c.id == g.id).values(
                starts_at=g.starts_at, ends_at=g.ends_at, revoked_at=g.revoked_at))
