"""Deletes expired Idempotency-Key answers, piggy-backed on requests: no operator, no scheduler.

Each API process checks on every request whether its last purge is more than INTERVAL_SECONDS
old (one comparison) and, if so, purges in a short-lived background thread, so no request waits
for it. Processes purging at the same time skip each other's rows (store.purge_expired), and the
work is proportional to what has expired. An idle API purges nothing, but then it also stores
nothing new.
"""
import logging
import threading
import time
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from apps.idempotency.store import purge_expired

INTERVAL_SECONDS = 300.0

log = logging.getLogger(__name__)


class KeyPurger:
    def __init__(self, engine: Engine, ttl: timedelta, interval: float = INTERVAL_SECONDS,
                 purge=purge_expired, clock=time.monotonic):
        self.engine, self.ttl, self.interval = engine, ttl, interval
        self.purge, self.clock = purge, clock
        self._due = 0.0  # the first request of a process purges
        self._lock = threading.Lock()

    def maybe_purge(self) -> bool:
        """A before_request hook: starts a purge when one is due (and says whether it did)."""
        if self.clock() < self._due:
            return False
        with self._lock:
            if self.clock() < self._due:
                return False
            self._due = self.clock() + self.interval
        threading.Thread(target=self.purge_once, name="idempotency-key-purge", daemon=True).start()
        return True

    def purge_once(self) -> None:
        try:
            deleted = self.purge(self.engine, self.ttl)
            if deleted:
                log.info("purged %d expired idempotency keys", deleted)
        except SQLAlchemyError as error:  # the database is down: the next due request retries
            log.warning("idempotency key purge failed, next try in %.0f s: %s", self.interval, error)
