"""Users' role ledgers on one session: locked, loaded and saved with a fixed number of
statements per batch, whatever its size.

Every change of a user's grants holds the user's row lock (FOR UPDATE, in id order so two
transactions locking overlapping sets cannot deadlock) from loading the ledger to the commit,
so one user's changes, and their event sequence numbers, are serial. Batch statements pass each
column as one binary array (`unnest`, `= ANY`; outbox/arrays.py): their SQL text is the same
for every batch size.
"""
from dataclasses import replace
from datetime import datetime
from functools import partial

from sqlalchemy import text
from sqlalchemy.orm import Session

from outbox import arrays

from apps.access_api.adapters.grant_rows import ADD_GRANTS, UPDATE_GRANTS, columns, grant
from apps.access_api.domain.ledger import Ledger

# The users it returns are new: locked by their insert until the commit, and with nothing to load.
CREATE_USERS = ("INSERT INTO users (email) SELECT unnest(CAST(%(emails)b AS text[])) "
                "ON CONFLICT DO NOTHING RETURNING id, email, role_sequence")
LOCK_USERS = ("SELECT id, email, role_sequence FROM users "
              "WHERE email = ANY(CAST(%(emails)b AS text[])) ORDER BY id FOR UPDATE")
# The scheduler's pick: users with a live grant whose end has come, read from the partial index
# of live grants by end (cost follows what is due). SKIP LOCKED: a user another scheduler or a
# consumer holds is left to it, so two schedulers never wait on, or both end, the same grant.
LOCK_DUE_USERS = text(
    "SELECT id, email, role_sequence FROM users WHERE id IN ("
    "  SELECT user_id FROM grants WHERE ended_at IS NULL AND ends_at <= :now"
    "  ORDER BY ends_at LIMIT :limit) "
    "ORDER BY id FOR UPDATE SKIP LOCKED")
NEXT_DUE = text("SELECT min(ends_at) FROM grants WHERE ended_at IS NULL")
LOAD_GRANTS = ("SELECT * FROM grants WHERE user_id = ANY(CAST(%(ids)b AS bigint[])) "
               "AND (ended_at IS NULL OR ended_at > %(since)b) ORDER BY id")
LOAD_ROLES = ("SELECT user_id, role, until FROM user_roles "
              "WHERE user_id = ANY(CAST(%(ids)b AS bigint[]))")
GRANTED_PURCHASES = ("SELECT DISTINCT source_id FROM grants WHERE source_type = 'purchase' "
                     "AND source_id = ANY(CAST(%(ids)b AS text[]))")
NEXT_GRANT_ID = text("SELECT nextval('grants_id_seq')")
UPSERT_ROLES = (
    "INSERT INTO user_roles (user_id, role, until) SELECT * FROM unnest("
    "CAST(%(user_ids)b AS bigint[]), CAST(%(roles)b AS text[]), "
    "CAST(%(untils)b AS timestamptz[])) "
    "ON CONFLICT (user_id, role) DO UPDATE SET until = excluded.until")
DELETE_ROLES = (
    "DELETE FROM user_roles r USING unnest(CAST(%(user_ids)b AS bigint[]), "
    "CAST(%(roles)b AS text[])) AS v(user_id, role) "
    "WHERE r.user_id = v.user_id AND r.role = v.role")
SET_SEQUENCES = (
    "UPDATE users u SET role_sequence = v.sequence FROM unnest(CAST(%(ids)b AS bigint[]), "
    "CAST(%(sequences)b AS bigint[])) AS v(id, sequence) WHERE u.id = v.id")
DELETE_GRANTS = "DELETE FROM grants WHERE user_id = ANY(CAST(%(ids)b AS bigint[]))"
DELETE_USERS = "DELETE FROM users WHERE id = ANY(CAST(%(ids)b AS bigint[]))"  # roles cascade


class LedgerRepository:
    def __init__(self, session: Session, track):
        self.session = session
        self.track = track  # the unit of work collects the ledgers' events at commit
        self.loaded: dict[int, tuple] = {}  # id(ledger) -> (ledger, grants, roles, sequence)

    def lock(self, emails: list[str], since: datetime, create: bool = False) -> dict[str, Ledger]:
        """The ledgers of these users (created first when `create`), row-locked, by e-mail.
        Grants ended at or before `since` are not loaded: no rule as of `since` needs them."""
        unique, created = sorted(set(emails)), []
        if create:
            created = arrays.execute(self.session, CREATE_USERS, {"emails": unique}).all()
            made = {row.email for row in created}
            unique = [email for email in unique if email not in made]
        rows = arrays.execute(self.session, LOCK_USERS, {"emails": unique}).all() if unique else []
        users = sorted([*created, *rows], key=lambda row: row.id)
        return {ledger.email: ledger
                for ledger in self._load(users, since, {row.id for row in created})}

    def lock_due(self, now: datetime, limit: int) -> list[Ledger]:
        """Ledgers of users with grants due by `now` that no other transaction holds."""
        rows = self.session.execute(LOCK_DUE_USERS, {"now": now, "limit": limit}).all()
        return self._load(rows, now)

    def next_due(self) -> datetime | None:
        """The earliest end among live grants."""
        return self.session.scalar(NEXT_DUE)

    def granted_purchases(self, purchase_ids: list[str]) -> set[str]:
        """Which of these purchases have grants already, ended ones included."""
        ids = sorted(set(purchase_ids))
        return set(arrays.execute(self.session, GRANTED_PURCHASES, {"ids": ids}).scalars())

    def new_grant_id(self) -> int:
        """An id for a grant whose source is itself (a manual grant)."""
        return self.session.scalar(NEXT_GRANT_ID)

    def _load(self, users, since: datetime, created: set[int] = frozenset()) -> list[Ledger]:
        grants = {row.id: [] for row in users}
        roles = {row.id: {} for row in users}
        ids = [row.id for row in users if row.id not in created]
        if ids:
            for row in arrays.execute(self.session, LOAD_GRANTS, {"ids": ids, "since": since}):
                grants[row.user_id].append(grant(row))
            for row in arrays.execute(self.session, LOAD_ROLES, {"ids": ids}):
                roles[row.user_id][row.role] = row.until
        ledgers = []
        for row in users:
            ledger = self.track(Ledger(row.id, row.email, row.role_sequence, grants[row.id],
                                       dict(roles[row.id])))
            self.loaded[id(ledger)] = (ledger, {g.id: replace(g) for g in grants[row.id]},
                                       roles[row.id], row.role_sequence)
            ledgers.append(ledger)
        return ledgers

    def save(self, ledgers: list[Ledger]) -> None:
        """Writes what changed in these ledgers since they were loaded."""
        new, changed, upserts, removals, sequences, deleted = [], [], [], [], [], []
        for ledger in ledgers:
            _, grants, roles, sequence = self.loaded.pop(id(ledger))
            if ledger.deleted:
                deleted.append(ledger.user_id)
                continue
            for g in ledger.grants:
                if g.id not in grants:
                    new.append((ledger.user_id, g))
                elif g != grants[g.id]:  # ids aside, every field compared
                    changed.append(g)
            upserts += [(ledger.user_id, role, until) for role, until in ledger.roles.items()
                        if roles.get(role) != until]
            removals += [(ledger.user_id, role) for role in roles if role not in ledger.roles]
            if ledger.sequence != sequence:
                sequences.append((ledger.user_id, ledger.sequence))
        self._write(new, changed, upserts, removals, sequences, deleted)

    def _write(self, new, changed, upserts, removals, sequences, deleted) -> None:
        execute = partial(arrays.execute, self.session)
        if new:
            execute(ADD_GRANTS, {"ids": [g.id for _, g in new],
                                 "user_ids": [user_id for user_id, _ in new],
                                 **columns([g for _, g in new], with_source=True)})
        if changed:
            execute(UPDATE_GRANTS, {"ids": [g.id for g in changed], **columns(changed)})
        if upserts:
            user_ids, roles, untils = zip(*upserts)
            execute(UPSERT_ROLES, {"user_ids": list(user_ids), "roles": list(roles),
                                   "untils": list(untils)})
        if removals:
            user_ids, roles = zip(*removals)
            execute(DELETE_ROLES, {"user_ids": list(user_ids), "roles": list(roles)})
        if sequences:
            ids, numbers = zip(*sequences)
            execute(SET_SEQUENCES, {"ids": list(ids), "sequences": list(numbers)})
        if deleted:
            execute(DELETE_GRANTS, {"ids": deleted})
            execute(DELETE_USERS, {"ids": deleted})

