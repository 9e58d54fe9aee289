"""The catalogue cache serves from memory only while its invalidation is live, and never a miss."""
import os

from apps.sales_api.adapters.catalog_cache import CachedServiceKeys, CatalogCache
from apps.sales_api.adapters.repositories import ServiceKey


class CountingKeys:
    def __init__(self, keys):
        self.keys, self.reads = keys, 0

    def find_by_hash(self, digest):
        self.reads += 1
        return self.keys.get(digest)


def cached(live=True):
    cache = CatalogCache()
    if live:
        cache.listening()
    database = CountingKeys({"d1": ServiceKey(1, "d1")})
    return cache, database, CachedServiceKeys(database, cache)


def test_a_known_key_is_read_once_while_the_listener_is_live():
    cache, database, keys = cached()
    assert keys.find_by_hash("d1") == keys.find_by_hash("d1") == ServiceKey(1, "d1")
    assert database.reads == 1


def test_an_unknown_key_is_never_kept():
    cache, database, keys = cached()
    assert keys.find_by_hash("guess") is None and keys.find_by_hash("guess") is None
    assert database.reads == 2


def test_a_notification_clears_the_cache():
    cache, database, keys = cached()
    keys.find_by_hash("d1")
    database.keys.clear()  # the key is revoked; the trigger notifies
    cache.invalidate()
    assert keys.find_by_hash("d1") is None


def test_without_a_listener_every_read_goes_to_the_database():
    cache, database, keys = cached(live=False)
    keys.find_by_hash("d1")
    keys.find_by_hash("d1")
    assert database.reads == 2


def test_losing_the_listener_bypasses_and_empties_the_cache():
    cache, database, keys = cached()
    keys.find_by_hash("d1")
    cache.deaf()
    keys.find_by_hash("d1")
    cache.listening()  # reconnected: what changed meanwhile must be read again
    keys.find_by_hash("d1")
    assert database.reads == 3


def test_a_value_read_while_a_notification_arrives_is_not_kept():
    cache = CatalogCache()
    cache.listening()

    def read_then_notified():
        cache.invalidate()  # the change committed while this stale row was on its way
        return ServiceKey(1, "stale")

    assert cache.read_through("k", read_then_notified) == ServiceKey(1, "stale")
    assert cache.read_through("k", lambda: ServiceKey(1, "fresh")) == ServiceKey(1, "fresh")


def test_a_forked_process_does_not_trust_its_parents_listener(monkeypatch):
    cache, database, keys = cached()
    keys.find_by_hash("d1")
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a worker forked after the listener started
    keys.find_by_hash("d1")
    assert database.reads == 2
