"""The customers sync's SQL on the real databases, each test in a transaction never committed:
the access directory creates, locks and versions user records and hands their UserUpdated to
the unit of work; the sales copy takes only a newer (user id, version)."""
import uuid

import pytest
from sqlalchemy import create_engine, select

from apps.access_api.service.uow import AccessUnitOfWork
from apps.access_api.service.users import CustomerName, name_customers
from apps.sales_api.adapters.tables import customers
from apps.sales_api.service.customers import AccessUser, copy_access_user
from apps.sales_api.service.uow import SalesUnitOfWork
from apps.settings import database_url

pytestmark = pytest.mark.integration


DOMAIN = f"sync-{uuid.uuid4().hex[:8]}.example.com"


def address(name: str) -> str:
    return f"{name}@{DOMAIN}"


@pytest.fixture(scope="module")
def engines(stack):
    made = {name: create_engine(database_url(name)) for name in ("access", "sales")}
    yield made
    for engine in made.values():
        engine.dispose()


def test_orders_create_and_name_users_with_one_event_per_change(engines):
    ana, bob = address("ana"), address("bob")
    with AccessUnitOfWork(engines["access"].connect) as uow:  # left without commit: rolled back
        name_customers(uow, [CustomerName(bob, "Bob"), CustomerName(ana, "Ana"),
                             CustomerName(ana.upper(), "Ana Souza")])
        events = uow.collect_new_events()
        records = uow.directory.lock([ana, bob])
        name_customers(uow, [CustomerName(bob, "Bob")])  # no change: nothing to announce
        assert uow.collect_new_events() == []
    # In order per user (one key); users apart, in the order their records were locked.
    assert [(e.payload["email"], e.payload["name"], e.payload["version"]) for e in events] == [
        (ana, "Ana", 1), (ana, "Ana Souza", 2), (bob, "Bob", 1)]
    assert {e.aggregate_type for e in events} == {"access.user"}
    assert (records[ana].name, records[ana].version) == ("Ana Souza", 2), "saved, then re-read"
    assert records[bob].version == 1


def copy(uow, email, user_id, version, name) -> bool:
    return copy_access_user(uow, AccessUser(user_id, email, name, version))


def test_the_sales_copy_takes_a_later_user_or_a_higher_version_only(engines):
    email = address("ana")
    with SalesUnitOfWork(engines["sales"].connect) as uow:  # left without commit: rolled back
        assert copy(uow, email, 7, 2, "Ana Souza")
        assert not copy(uow, email, 7, 2, "Ana Souza"), "the same version again"
        assert not copy(uow, email, 7, 1, "Ana"), "an older version"
        assert copy(uow, email, 9, 1, "New Ana"), "a user created again: a larger id"
        assert not copy(uow, email, 7, 8, "Old Ana"), "the deleted user's late event"
        row = uow.session.execute(select(customers).where(customers.c.email == email)).one()
    assert (row.name, row.access_user_id, row.access_version) == ("New Ana", 9, 1)
