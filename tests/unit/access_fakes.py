"""In-memory access unit of work and fake Kafka clients: consumer tests without servers.

The fake unit of work is built on the real AbstractUnitOfWork, so the role events reach its
outbox by the production path (ledgers tracked, events collected and mapped at commit). It keeps
a committed state and a working copy, so a test sees exactly what a transaction would have
committed: nothing after a rollback, a savepoint's writes and events undone on its exception,
and the inbox's dedupe.
"""
import copy
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import replace

from apps.access_api.adapters.user_events import to_outbox
from apps.access_api.domain.events import SourceType
from apps.access_api.domain.grants import Grant
from apps.access_api.domain.ledger import Ledger
from apps.access_api.domain.users import UserRecord
from outbox.uow import AbstractUnitOfWork


class State:
    def __init__(self):
        self.users: dict[str, int] = {}
        self.names: dict[int, tuple[str | None, int]] = {}  # user id -> (name, version)
        self.sequences: dict[int, int] = {}
        self.grants: list[tuple[int, Grant]] = []
        self.roles: dict[int, dict] = {}  # user id -> {role: until}, the user_roles table
        self.inbox: dict[tuple[str, str], str | None] = {}
        self.outbox: list = []  # OutboxEvents, in commit order
        self.last_grant_id = 0


class FakeUsers:
    def __init__(self, uow):
        self.uow = uow

    def id_of(self, email):
        return self.uow.state.users.get(email)


class FakeDirectory:
    """UserDirectory's record edits on the in-memory state (no locks: one thread)."""

    def __init__(self, uow):
        self.uow = uow

    def add(self, email):
        if email in self.uow.state.users:
            return None
        return self.lock([email], create=True)[email]

    def lock(self, emails, create=False):
        state = self.uow.state
        for email in sorted(set(emails)):
            if create and email not in state.users:
                state.users[email] = max(state.users.values(), default=0) + 1
        found = {e: state.users[e] for e in set(emails) if e in state.users}
        return {e: self.uow.track(UserRecord(i, e, *state.names.get(i, (None, 0)), created_at=None))
                for e, i in found.items()}

    def save(self, records):
        for record in records:
            self.uow.state.names[record.id] = (record.name, record.version)


class FakeGrants:
    def __init__(self, uow):
        self.uow = uow

    def for_users(self, user_ids):
        held = defaultdict(list)
        for user_id, grant in self.uow.state.grants:
            if user_id in user_ids:
                held[user_id].append(replace(grant))
        return held

    def for_user(self, user_id):
        return self.for_users({user_id})[user_id]


class FakeLedgers:
    """LedgerRepository's contract on the in-memory state (no locks: one thread)."""

    def __init__(self, uow):
        self.uow = uow

    def lock(self, emails, since, create=False):
        state = self.uow.state
        for email in sorted(set(emails)):
            if create and email not in state.users:
                state.users[email] = max(state.users.values(), default=0) + 1
        return {e: self.load(state.users[e], e, since) for e in set(emails) if e in state.users}

    def lock_due(self, now, limit):
        due = sorted((g.ends_at, u) for u, g in self.uow.state.grants
                     if g.ended_at is None and g.ends_at <= now)[:limit]
        emails = {u: e for e, u in self.uow.state.users.items()}
        return [self.load(u, emails[u], now) for u in sorted({u for _, u in due})]

    def next_due(self):
        return min((g.ends_at for _, g in self.uow.state.grants if g.ended_at is None), default=None)

    def granted_purchases(self, purchase_ids):
        return {g.source_id for _, g in self.uow.state.grants
                if g.source_type is SourceType.PURCHASE and g.source_id in purchase_ids}

    def new_grant_id(self):
        self.uow.state.last_grant_id += 1
        return self.uow.state.last_grant_id

    def load(self, user_id, email, since):
        state = self.uow.state
        grants = [replace(g) for u, g in state.grants
                  if u == user_id and (g.ended_at is None or g.ended_at > since)]
        return self.uow.track(Ledger(user_id, email, state.sequences.get(user_id, 0), grants,
                                     dict(state.roles.get(user_id, {}))))

    def save(self, ledgers):
        state = self.uow.state
        for ledger in ledgers:
            if ledger.deleted:
                state.grants = [(u, g) for u, g in state.grants if u != ledger.user_id]
                del state.users[ledger.email]
                state.roles.pop(ledger.user_id, None), state.sequences.pop(ledger.user_id, None)
                continue
            for grant in ledger.grants:
                self.store(ledger.user_id, grant)
            state.roles[ledger.user_id] = dict(ledger.roles)
            state.sequences[ledger.user_id] = ledger.sequence

    def store(self, user_id, grant):
        state = self.uow.state
        if grant.id is None:
            if any(g.source_type is SourceType.PURCHASE and (g.source_id, g.role) ==
                   (grant.source_id, grant.role) for _, g in state.grants):
                raise ValueError("grants_one_per_purchase_role violated")  # the unique index
            grant.id = self.new_grant_id()
        rows = [(u, g) for u, g in state.grants if g.id != grant.id]
        state.grants = [*rows, (user_id, replace(grant))] if len(rows) == len(state.grants) else \
            [(u, replace(grant) if g.id == grant.id else g) for u, g in state.grants]


class FakeInbox:
    def __init__(self, uow):
        self.uow = uow
        self.purged_with = []

    def record_new(self, consumer, events):
        new = set()
        for event_id, event_type in events:
            if (consumer, event_id) not in self.uow.state.inbox:
                self.uow.state.inbox[(consumer, event_id)] = event_type
                new.add(event_id)
        return new

    def purge(self, consumer, window):
        self.purged_with.append((consumer, window))
        return 0


class FakeAccessUnitOfWork(AbstractUnitOfWork):
    """Call it to get itself, like a factory: `EventRunner(..., uow_factory=fake)`."""

    def __init__(self, fail_with: Exception | None = None, failures: int = 0):
        super().__init__(to_outbox)
        self.committed = State()
        self.state = None
        self.commits = 0
        self.fail_with, self.failures = fail_with, failures
        self.users, self.grants, self.inbox = FakeUsers(self), FakeGrants(self), FakeInbox(self)
        self.ledgers, self.directory = FakeLedgers(self), FakeDirectory(self)

    def __call__(self):
        return self

    def __enter__(self):
        if self.failures:
            self.failures -= 1
            raise self.fail_with
        super().__enter__()
        self.state = copy.deepcopy(self.committed)
        return self

    def __exit__(self, *exc):
        self.state = None
        return False

    @contextmanager
    def savepoint(self):
        saved, events, seen = copy.deepcopy(self.state), len(self.events), len(self.seen)
        try:
            yield
        except BaseException:
            self.state = saved
            del self.events[events:], self.seen[seen:]
            raise

    def _commit(self, events):
        if events:  # (a subclass for another database keeps no outbox)
            self.state.outbox += events
        self.committed = copy.deepcopy(self.state)
        self.commits += 1

    def rollback(self):
        self.state = None

    @property
    def published(self):
        """The outbox events of every commit, in order."""
        return self.committed.outbox

    def name_of(self, email):
        """(name, version) of the user's committed record."""
        return self.committed.names.get(self.committed.users[email], (None, 0))

    def grants_of(self, email):
        user_id = self.committed.users.get(email)
        return [g for u, g in self.committed.grants if u == user_id]


class FakeMessage:
    def __init__(self, topic, partition, offset, key, value, headers, error=None,
                 timestamp=(0, 0)):  # (type, epoch ms); type 0 = TIMESTAMP_NOT_AVAILABLE
        self._topic, self._partition, self._offset = topic, partition, offset
        self._key, self._value, self._headers, self._error = key, value, headers, error
        self._timestamp = timestamp

    def topic(self): return self._topic
    def partition(self): return self._partition
    def offset(self): return self._offset
    def key(self): return self._key
    def value(self): return self._value
    def headers(self): return self._headers
    def error(self): return self._error
    def timestamp(self): return self._timestamp


class FakeConsumer:
    """A broker-less consumer with librdkafka's pause semantics: a paused partition delivers
    nothing, and on resume it goes on after the last message handed to the application."""

    def __init__(self, messages: list[FakeMessage]):
        self.log = defaultdict(list)
        for m in messages:
            self.log[(m.topic(), m.partition())].append(m)
        self.position = {tp: 0 for tp in self.log}
        self.paused: set = set()
        self.stored: dict = {}
        self.polls = 0
        self.closed = False
        self.callbacks = {}
        self.errors: list = []  # error events to hand out before messages
        self.now = 0.0  # a clock for the runner: an empty poll waits out its timeout

    def subscribe(self, topics, **callbacks):
        """Joins at once: every partition of its messages is assigned to it."""
        self.callbacks = callbacks
        if "on_assign" in callbacks:
            callbacks["on_assign"](self, self.assignment())

    def assignment(self):
        from confluent_kafka import TopicPartition
        return [TopicPartition(t, p) for t, p in self.log]

    def pause(self, partitions):
        self.paused |= {(p.topic, p.partition) for p in partitions}

    def resume(self, partitions):
        self.paused -= {(p.topic, p.partition) for p in partitions}

    def consume(self, num_messages=1, timeout=-1):
        self.polls += 1
        if self.errors:
            return [self.errors.pop(0)]
        out = []
        for tp, messages in self.log.items():
            while tp not in self.paused and self.position[tp] < len(messages) and len(out) < num_messages:
                out.append(messages[self.position[tp]])
                self.position[tp] += 1
        if not out and timeout and timeout > 0:
            self.now += timeout
        return out

    def poll(self, timeout=None):
        got = self.consume(1, timeout)
        return got[0] if got else None

    def store_offsets(self, offsets):
        for tp in offsets:
            self.stored[(tp.topic, tp.partition)] = tp.offset

    def drained(self):
        return all(self.position[tp] == len(m) for tp, m in self.log.items())

    def close(self):
        self.closed = True


class FakeProducer:
    def __init__(self):
        self.produced = []

    def produce(self, topic, key=None, value=None, headers=None):
        self.produced.append({"topic": topic, "key": key, "value": value, "headers": dict(headers)})

    def flush(self, timeout=None):
        return 0
