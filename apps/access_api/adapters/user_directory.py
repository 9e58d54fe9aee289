"""The user records behind the users API: list with filters, find, add, and lock to edit.

The ledgers (ledgers.py) lock users to change their grants; this reads and edits the records
themselves. Both write the same `users` table, so a user created here and one created by a
sale are the same row (the unique e-mail, normalised by apps.emails, is the meeting point).
Records added or locked here are tracked: their UserUpdated events leave at commit.
"""
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from apps.access_api.adapters.tables import user_roles, users
from apps.access_api.domain.users import User, UserRecord

COLUMNS = (users.c.id, users.c.email, users.c.name, users.c.created_at)
RECORD_COLUMNS = (*COLUMNS, users.c.version)
SAVE = (update(users).where(users.c.id == bindparam("user_id"))
        .values(name=bindparam("new_name"), version=bindparam("new_version")))


def _user(row) -> User:
    return User(row.id, row.email, row.name, row.created_at)


def holding(role: str, now: datetime):
    """The user holds `role` now: its effective roles (user_roles, kept by the ledger with every
    change and every expiry) list it with an end still ahead. Comparing with `now` covers the
    second or two before the scheduler ends a role that has just run out."""
    return exists().where(user_roles.c.user_id == users.c.id, user_roles.c.role == role,
                          user_roles.c.until > now)


class UserDirectory:
    def __init__(self, session: Session, track):
        self.session = session
        self.track = track  # the unit of work collects the records' events at commit
        self.loaded: dict[int, int] = {}  # id(record) -> its version when loaded

    def find(self, email: str) -> User | None:
        row = self.session.execute(select(*COLUMNS).where(users.c.email == email)).first()
        return None if row is None else _user(row)

    def add(self, email: str) -> UserRecord | None:
        """The new user, nameless (name it with `rename`, then `save`), or None when the e-mail
        is taken (checked by the unique index, so two concurrent requests cannot both create
        it). The new row stays locked by this transaction until it commits."""
        row = self.session.execute(
            insert(users).values(email=email)
            .on_conflict_do_nothing(index_elements=["email"]).returning(*RECORD_COLUMNS)).first()
        return None if row is None else self._record(row)

    def lock(self, emails: list[str], create: bool = False) -> dict[str, UserRecord]:
        """These users' records (created first when `create`), row-locked until the commit, by
        e-mail. Created in e-mail order and locked in id order, as the ledgers do theirs, so two
        such statements on overlapping users wait for each other rather than deadlock (a
        deadlock left, e.g. against a transaction that locked twice, is a database error: the
        consumer holds its batch and retries it)."""
        unique = sorted(set(emails))
        if not unique:
            return {}
        if create:
            self.session.execute(insert(users).values([{"email": e} for e in unique])
                                 .on_conflict_do_nothing(index_elements=["email"]))
        # FOR NO KEY UPDATE: the key stays, so grants referencing the user are not held up.
        rows = self.session.execute(select(*RECORD_COLUMNS).where(users.c.email.in_(unique))
                                    .order_by(users.c.id).with_for_update(key_share=True))
        return {row.email: self._record(row) for row in rows}

    def save(self, records: list[UserRecord]) -> None:
        """Writes the records that changed since they were added or locked."""
        changed = [r for r in records if self.loaded.pop(id(r), r.version) != r.version]
        if changed:
            self.session.execute(SAVE, [{"user_id": r.id, "new_name": r.name,
                                         "new_version": r.version} for r in changed])

    def _record(self, row) -> UserRecord:
        record = self.track(UserRecord(row.id, row.email, row.name, row.version, row.created_at))
        self.loaded[id(record)] = row.version
        return record

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
