"""The user records behind the users API: list with filters, add, find, rename.

The ledgers (ledgers.py) lock users to change their grants; this reads and edits the records
themselves. Both write the same `users` table, so a user created here and one created by a
sale are the same row (the unique e-mail, normalised by apps.emails, is the meeting point).
"""
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from apps.access_api.adapters.tables import user_roles, users
from apps.access_api.domain.users import User

COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.created_at)


def _user(row) -> User:
    return User(row.id, row.email, row.name, row.created_at)


def holding(role: str, now: datetime):
    """The user holds `role` now: its effective roles (user_roles, kept by the ledger with every
    change and every expiry) list it with an end still ahead. Comparing with `now` covers the
    second or two before the scheduler ends a role that has just run out."""
    return exists().where(user_roles.c.user_id == users.c.id, user_roles.c.role == role,
                          user_roles.c.until > now)


class UserDirectory:
    def __init__(self, session: Session):
        self.session = session

    def find(self, email: str) -> User | None:
        row = self.session.execute(select(*COLUMNS).where(users.c.email == email)).first()
        return None if row is None else _user(row)

    def add(self, email: str, name: str | None) -> User | None:
        """The new user, or None when the e-mail is taken (checked by the unique index, so two
        concurrent requests cannot both create it)."""
        row = self.session.execute(
            insert(users).values(email=email, name=name)
            .on_conflict_do_nothing(index_elements=["email"]).returning(*COLUMNS)).first()
        return None if row is None else _user(row)

    def rename(self, email: str, name: str | None) -> User | None:
        row = self.session.execute(update(users).where(users.c.email == email).values(name=name)
                                   .returning(*COLUMNS)).first()
        return None if row is None else _user(row)

    def matching(self, email: str | None, role: str | None, now: datetime,
                 offset: int, limit: int) -> tuple[list[User], int]:
        """One slice of the users matching the filters, oldest first (by id, so pages stay put
        while users are added), and how many match in all."""
        conditions = []
        if email is not None:
            conditions.append(users.c.email == email)
        if role is not None:
            conditions.append(holding(role, now))
        rows = self.session.execute(select(*COLUMNS).where(*conditions).order_by(users.c.id)
                                    .offset(offset).limit(limit))
        total = self.session.scalar(select(func.count()).select_from(users).where(*conditions))
        return [_user(row) for row in rows], total
