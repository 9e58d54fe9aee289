"""Reading users and their grant history; every change goes through the ledgers (ledgers.py)."""
from collections import defaultdict

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from apps.access_api.adapters.grant_rows import grant
from apps.access_api.adapters.tables import grants, users
from apps.access_api.domain.grants import Grant


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def id_of(self, email: str) -> int | None:
        return self.session.scalar(select(users.c.id).where(users.c.email == email))


class GrantRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_user(self, user_id: int) -> list[Grant]:
        """Every grant of the user, ended ones included, oldest first."""
        return self.for_users({user_id})[user_id]

    def for_users(self, user_ids: set[int]) -> dict[int, list[Grant]]:
        held = defaultdict(list)
        rows = self.session.execute(
            select(grants).where(grants.c.user_id == func.any(bindparam("ids", type_=ARRAY(BigInteger))))
            .order_by(grants.c.id), {"ids": list(user_ids)})
        for row in rows:
            held[row.user_id].append(grant(row))
        return held
