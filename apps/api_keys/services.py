"""One key across several services' databases: what the command and the development key share.

Services share no database, so a key meant for both is one row in each, with the same id and
digest. Each function opens its own engines from apps/settings.py `database_url(service)`.
"""
from contextlib import ExitStack, contextmanager
from typing import Iterator

from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError

from apps.api_keys import store
from apps.api_keys.keys import NewKey, new_key
from apps.settings import database_url

SERVICES = ("sales", "access")  # the services whose migrations create api_keys (0003)


class Unreachable(RuntimeError):
    """A service's database refused the connection; the message names the service."""


@contextmanager
def connections(services) -> Iterator[dict[str, Connection]]:
    """A connection per service; a transaction each, committed by the caller."""
    with ExitStack() as stack:
        opened = {}
        for service in services:
            engine = create_engine(database_url(service))
            stack.callback(engine.dispose)
            try:
                opened[service] = stack.enter_context(engine.connect())
            except OperationalError as error:
                raise Unreachable(f"the {service} database is unreachable: {error.orig}") from None
        yield opened


def create(services, name: str, scopes: tuple[str, ...]) -> NewKey:
    """Registers one new key in every service. Every row is written before any commit, so a
    failure to write leaves no key anywhere."""
    key = new_key()
    with connections(services) as opened:
        for connection in opened.values():
            store.add(connection, key, name, scopes)
        for connection in opened.values():
            connection.commit()
    return key


def revoke(services, key_id: str) -> list[str]:
    """The services in which a live key with this id was revoked."""
    revoked = []
    with connections(services) as opened:
        for service, connection in opened.items():
            if store.revoke(connection, key_id):
                revoked.append(service)
            connection.commit()
    return revoked


def listed(services) -> dict[str, list[store.StoredKey]]:
    with connections(services) as opened:
        return {service: store.list_keys(connection) for service, connection in opened.items()}


def scopes_everywhere(services, key: str) -> dict[str, tuple[str, ...] | None]:
    """The key's scopes in each service (None where it is not live); not counted as a use."""
    with connections(services) as opened:
        return {service: store.scopes_of(connection, key, record_use=False)
                for service, connection in opened.items()}
