"""In-memory access unit of work and fake Kafka clients: consumer tests without servers.

The fake unit of work keeps a committed state and a working copy, so a test sees exactly what
a transaction would have committed: nothing after a rollback, a savepoint's writes undone on
its exception, and the inbox's dedupe.
"""
import copy
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import replace

from apps.access_api.domain.grants import Grant


class State:
    def __init__(self):
        self.users: dict[str, int] = {}
        self.grants: list[tuple[int, Grant]] = []
        self.inbox: dict[tuple[str, str], str | None] = {}


class FakeUsers:
    def __init__(self, uow):
        self.uow = uow

    def ids_for_update(self, emails):
        users = self.uow.state.users
        for email in sorted(set(emails)):
            users.setdefault(email, len(users) + 1)
        return {e: users[e] for e in set(emails)}

    def id_for_update(self, email):
        return self.uow.state.users.get(email)

    id_of = id_for_update


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

    def add(self, new):
        for user_id, grant in new:
            if any(g.purchase_id == grant.purchase_id and g.role == grant.role
                   for _, g in self.uow.state.grants):
                raise ValueError("grants_one_per_purchase_role violated")  # the unique constraint
            grant.id = len(self.uow.state.grants) + 1
            self.uow.state.grants.append((user_id, replace(grant)))

    def save(self, changed):
        by_id = {g.id: g for g in changed}
        self.uow.state.grants = [(u, replace(by_id.get(g.id, g))) for u, g in self.uow.state.grants]


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


class FakeAccessUnitOfWork:
    """Call it to get itself, like a factory: `EventRunner(..., uow_factory=fake)`."""

    def __init__(self, fail_with: Exception | None = None, failures: int = 0):
        self.committed = State()
        self.state = None
        self.commits = 0
        self.fail_with, self.failures = fail_with, failures
        self.users, self.grants, self.inbox = FakeUsers(self), FakeGrants(self), FakeInbox(self)

    def __call__(self):
        return self

    def __enter__(self):
        if self.failures:
            self.failures -= 1
            raise self.fail_with
        self.state = copy.deepcopy(self.committed)
        return self

    def __exit__(self, *exc):
        self.state = None
        return False

    @contextmanager
    def savepoint(self):
        saved = copy.deepcopy(self.state)
        try:
            yield
        except BaseException:
            self.state = saved
            raise

    def commit(self):
        self.committed = copy.deepcopy(self.state)
        self.commits += 1

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
