"""A SQLAlchemy unit of work whose commit also writes the collected events to the outbox."""
from sqlalchemy.orm import Session, sessionmaker

from outbox.events import OutboxEvent
from outbox.publish import publish


class UnitOfWork:
    """`with uow:` opens a transaction; `uow.commit()` publishes collected events and commits once.

    Leaving the block without commit rolls everything back, domain rows and events alike.
    Services subclass it to add repositories built on `self.session`.
    """

    def __init__(self, session_factory: sessionmaker):
        self.session_factory = session_factory
        self.session: Session | None = None
        self.events: list[OutboxEvent] = []

    def __enter__(self):
        self.session = self.session_factory()
        self.events = []
        return self

    def __exit__(self, *exc_info):
        self.session.rollback()
        self.session.close()

    def add_event(self, event: OutboxEvent) -> None:
        self.events.append(event)

    def commit(self) -> None:
        for event in self.events:
            publish(self.session, event)
        self.events = []
        self.session.commit()
