"""Units of work whose commit also writes the domain events of what they touched to the outbox.

Repositories register every aggregate they load or add (`track`); at commit the unit of work
collects those aggregates' new domain events, maps each to an OutboxEvent with the service's
mapper, and writes them in the same transaction. A use case therefore cannot forget an event:
there is no call to forget (cosmicpython's `seen` + `collect_new_events`).
"""
import abc
from contextlib import contextmanager
from collections.abc import Callable

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from outbox.events import OutboxEvent
from outbox.publish import publish_all

Mapper = Callable[[object], OutboxEvent]


class AbstractUnitOfWork(abc.ABC):
    """`with uow:` opens a transaction; `uow.commit()` publishes collected events and commits once.

    Leaving the block without commit rolls everything back, domain rows and events alike.
    """

    def __init__(self, to_outbox: Mapper | None = None):
        self.to_outbox = to_outbox
        self.events: list[OutboxEvent] = []
        self.seen: list = []
        self.seen_ids: set[int] = set()  # id() of each in `seen`: a batch tracks hundreds

    def __enter__(self):
        self.events = []
        self.seen = []
        self.seen_ids = set()
        return self

    def __exit__(self, *exc_info):
        self.rollback()

    def track(self, aggregate):
        """Remember an aggregate a repository loaded or added; its events leave at commit."""
        if len(self.seen_ids) != len(self.seen):  # `seen` was cut back (a savepoint undone)
            self.seen_ids = {id(known) for known in self.seen}
        if id(aggregate) not in self.seen_ids:  # by identity: two aggregates may be equal
            self.seen_ids.add(id(aggregate))
            self.seen.append(aggregate)
        return aggregate

    def add_event(self, event: OutboxEvent) -> None:
        """An outbox event that belongs to no aggregate (kept for callers that build their own)."""
        self.events.append(event)

    def collect_new_events(self) -> list[OutboxEvent]:
        """This transaction's outbox events: those added, then every seen aggregate's, in order."""
        collected = list(self.events)
        for aggregate in self.seen:
            if aggregate.events and self.to_outbox is None:
                raise TypeError(f"{type(aggregate).__name__} has events but {type(self).__name__} "
                                "was given no mapper to the outbox")
            collected += [self.to_outbox(event) for event in aggregate.events]
        for aggregate in self.seen:
            aggregate.events.clear()
        self.events = []
        return collected

    def commit(self) -> None:
        self._commit(self.collect_new_events())

    @abc.abstractmethod
    def _commit(self, events: list[OutboxEvent]) -> None:
        """Write `events` to the outbox and commit, atomically with the domain changes."""

    @abc.abstractmethod
    def rollback(self) -> None:
        ...


class UnitOfWork(AbstractUnitOfWork):
    """The SQLAlchemy unit of work: one session per `with` block, exposed as `self.session`.

    `session_factory` is a `sessionmaker`, or `engine.connect` where repositories need only
    Core statements: a Connection has the same execute/commit/rollback/close and skips the
    ORM session's bookkeeping. Services subclass it to add repositories on `self.session`.
    """

    def __init__(self, session_factory: Callable[[], Session | Connection],
                 to_outbox: Mapper | None = None):
        super().__init__(to_outbox)
        self.session_factory = session_factory
        self.session: Session | Connection | None = None

    def __enter__(self):
        super().__enter__()
        self.session = self.session_factory()
        return self

    def __exit__(self, *exc_info):
        try:
            super().__exit__(*exc_info)
        finally:
            self.session.close()

    @contextmanager
    def savepoint(self):
        """A nested transaction: on an exception only its own writes are undone, and so are the
        events and aggregates collected inside it (a consumer isolating one failing event)."""
        events, seen = len(self.events), len(self.seen)
        try:
            with self.session.begin_nested():
                yield
        except BaseException:
            del self.events[events:], self.seen[seen:]
            raise

    def _commit(self, events: list[OutboxEvent]) -> None:
        publish_all(self.session, events)
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
