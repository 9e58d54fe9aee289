"""An in-memory unit of work on a snapshot of committed rows: the base of the billing and leads
fakes, so use cases and handlers are tested without a database.

Built on the real AbstractUnitOfWork, so event collection at commit is the production code. Each
`with` block works on a deep copy of `committed`, with fresh repositories on it
(`open_repositories`); `commit()` makes the copy the committed state and appends the outbox
events to `published`, so a test sees exactly what a transaction would have committed and
nothing after a rollback.
"""
from copy import deepcopy

from outbox.uow import AbstractUnitOfWork


class SnapshotUnitOfWork(AbstractUnitOfWork):
    def __init__(self, to_outbox, committed):
        super().__init__(to_outbox)
        self.committed = committed
        self.published = []
        self.commits = 0

    def __enter__(self):
        super().__enter__()
        self.rollback()
        return self

    def _commit(self, events) -> None:
        self.committed = deepcopy(self.working)
        self.published += events
        self.commits += 1

    def rollback(self) -> None:
        """Back to the committed rows, on fresh repositories."""
        self.working = deepcopy(self.committed)
        self.open_repositories()

    def open_repositories(self) -> None:
        raise NotImplementedError
