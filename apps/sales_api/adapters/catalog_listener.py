"""The thread that keeps the catalogue cache honest: LISTEN sales_catalog, clear on each NOTIFY.

One daemon thread per API process holds its own autocommit psycopg connection (not one from
the request pool, which would otherwise lose a slot). While it is connected and listening the
cache may serve; from the moment the connection fails until it is back and listening again the
cache is bypassed, and it starts empty on reconnect, so a change made while nobody listened
is read from the database. A silent network failure is caught by TCP keepalives and by a
`SELECT 1` whenever no notification has arrived for a few seconds.
"""
import logging
import os
import threading

import psycopg
from sqlalchemy.engine import make_url

from apps.sales_api.adapters.catalog_cache import CatalogCache

CHANNEL = "sales_catalog"  # the triggers of migration 0002 notify it
QUIET_CHECK_SECONDS = 5.0
RECONNECT_SECONDS = 1.0
CONNECTION = {"autocommit": True, "connect_timeout": 5, "application_name": "sales-api catalog",
              "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
              "keepalives_count": 2, "tcp_user_timeout": 10_000}

log = logging.getLogger(__name__)


def libpq_url(sqlalchemy_url: str) -> str:
    """`postgresql+psycopg://...` as the plain URL libpq takes."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class CatalogListener:
    """Started lazily per process (`ensure_running`), so it also runs in forked workers."""

    def __init__(self, cache: CatalogCache, sqlalchemy_url: str):
        self.cache = cache
        self.conninfo = libpq_url(sqlalchemy_url)
        self.backend_pid: int | None = None  # of the listening connection, for tests and logs
        self._lock = threading.Lock()
        self._started_in_pid: int | None = None
        self._stopped = threading.Event()

    def ensure_running(self) -> None:
        if self._started_in_pid == os.getpid():
            return
        with self._lock:
            if self._started_in_pid != os.getpid():
                self._started_in_pid = os.getpid()
                self._stopped.clear()
                threading.Thread(target=self._run, name="sales-catalog-listener",
                                 daemon=True).start()

    def stop(self) -> None:
        """Ends the thread within QUIET_CHECK_SECONDS; the cache is bypassed from now on."""
        self._stopped.set()
        self.cache.deaf()

    def _run(self) -> None:
        warned = False  # one warning per outage, not one per reconnection attempt
        while not self._stopped.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                warned = warned and not self.cache.live()
                (log.debug if warned else log.warning)(
                    "catalogue listener not connected, cache bypassed: %s", error)
                warned = True
            except Exception:  # a bug must not end the thread: retry, bypassing the cache meanwhile
                log.exception("catalogue listener failed, cache bypassed")
            finally:
                self.cache.deaf()
                self.backend_pid = None
            self._stopped.wait(RECONNECT_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(self.conninfo, **CONNECTION) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.backend_pid = connection.info.backend_pid
            if self._stopped.is_set():
                return
            self.cache.listening()  # only after LISTEN: from here on no change goes unnoticed
            while not self._stopped.is_set():
                for _ in connection.notifies(timeout=QUIET_CHECK_SECONDS):
                    self.cache.invalidate()
                connection.execute("SELECT 1")
