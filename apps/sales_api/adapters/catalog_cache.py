"""Products and service keys kept in process memory, trusted only while invalidation is live.

Each purchase needs its product (with roles) and the caller's service key; both change rarely,
so reading them from memory saves the queries that fetch them. A cached entry is only as good
as its invalidation: triggers on the catalogue tables `NOTIFY sales_catalog` (migration 0002)
and a listener thread clears the cache on every notification. The cache serves entries only while
that listener is connected in this process; otherwise every read goes to the database. It
holds only rows that exist: an unknown key or product is never stored, so guessing cannot
fill memory.
"""
import os
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class CatalogCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[Hashable, object] = {}
        self._generation = 0  # bumped on every invalidation
        self._live_in_pid: int | None = None  # a fork inherits the flag, not the listener

    def live(self) -> bool:
        return self._live_in_pid == os.getpid()

    def read_through(self, key: Hashable, load: Callable[[], T | None]) -> T | None:
        """The cached value of `key`, or `load()`; a loaded value is kept if nothing changed.

        A notification that arrives while `load()` runs may concern the very row just read,
        so the value is stored only if no invalidation happened since before the read.
        """
        if self.live():
            cached = self._entries.get(key)
            if cached is not None:
                return cached
        generation = self._generation
        value = load()
        if value is not None:
            with self._lock:
                if self.live() and generation == self._generation:
                    self._entries[key] = value
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def listening(self) -> None:
        """The listener is connected and LISTENing: start from empty, then serve from memory."""
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self._live_in_pid = os.getpid()

    def deaf(self) -> None:
        """The listener lost its connection: notifications may be missed, so trust nothing."""
        with self._lock:
            self._live_in_pid = None
            self._entries.clear()
            self._generation += 1


class ReadThrough:
    """A repository whose lookups go through the cache, keyed by the repository's kind."""

    def __init__(self, repository, cache: CatalogCache):
        self.repository = repository
        self.cache = cache

    def _read(self, key: str, load: Callable[[str], T | None]) -> T | None:
        return self.cache.read_through((type(self).__name__, key), lambda: load(key))


class CachedProducts(ReadThrough):
    def get(self, product_id: str):
        return self._read(product_id, self.repository.get)


class CachedServiceKeys(ReadThrough):
    def find_by_hash(self, key_sha256: str):
        return self._read(key_sha256, self.repository.find_by_hash)
