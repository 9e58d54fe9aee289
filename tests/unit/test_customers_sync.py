"""Customers kept in step across services, on the in-memory units of work: the access service
announces each change of a user's name (and only a change), orders name the access users, and
the sales copy takes only what is newer. The round trip runs through the real Avro codec."""
from datetime import datetime, timezone
from decimal import Decimal

from apps.access_api.service import users
from apps.consumers import access_customers, sales_customers
from apps.durations import Duration
from apps.sales_api.adapters.events import to_outbox as sales_to_outbox
from apps.sales_api.domain.model import Product
from apps.sales_api.domain.orders import CardSummary, Customer, Order, OrderItem
from apps.sales_api.service.customers import AccessUser, copy_access_user
from outbox.batch import Handlers
from outbox.codec import encode
from outbox.envelope import open_envelope
from tests.unit.access_fakes import FakeAccessUnitOfWork, FakeMessage
from tests.unit.fakes import FakeSalesUnitOfWork

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
XYZ = Product("123456", "Course XYZ", ("COURSE_XYZ",), Duration.parse("P1M"),
              price=Decimal("49.90"))


def announced(uow) -> list[tuple[str, str | None, int]]:
    """(e-mail, name, version) of every UserUpdated committed, in order."""
    return [(e.payload["email"], e.payload["name"], e.payload["version"])
            for e in uow.published if e.type == "UserUpdated"]


# The access service: a change of a user's name is announced, with the next version -----------

def test_a_user_created_with_a_name_is_announced_as_version_1_and_one_without_is_not():
    uow = FakeAccessUnitOfWork()
    users.create_user(uow, "Ana@Example.com", "Ana", now=NOW)
    users.create_user(uow, "bob@example.com", None, now=NOW)
    assert announced(uow) == [("ana@example.com", "Ana", 1)]
    [event] = uow.published
    assert event.aggregate_type == "access.user" and event.aggregate_id == str(event.payload["user_id"])


def test_each_rename_is_announced_with_the_next_version_and_the_same_name_is_not():
    uow = FakeAccessUnitOfWork()
    users.create_user(uow, "ana@example.com", "Ana", now=NOW)
    users.rename_user(uow, "ana@example.com", "Ana Souza", now=NOW)
    commits = uow.commits
    assert users.rename_user(uow, "ana@example.com", "Ana Souza", now=NOW).name == "Ana Souza"
    users.rename_user(uow, "ana@example.com", None, now=NOW)
    assert announced(uow) == [("ana@example.com", "Ana", 1), ("ana@example.com", "Ana Souza", 2),
                              ("ana@example.com", None, 3)]
    assert uow.commits == commits + 1, "the rename to the same name committed nothing"
    assert uow.name_of("ana@example.com") == (None, 3)


def order_placed(email: str, name: str):
    """An OrderPlaced as the access-customers consumer reads it: from the sales domain, through
    the sales outbox mapping, Avro and the consumer's envelope."""
    order = Order.place(Customer(email, name), [OrderItem.of(XYZ, 1)], CardSummary("visa", "4242"),
                        NOW)
    return read(access_customers, sales_to_outbox(order.events[0]))


def read(consumer, outbox_event):
    message = FakeMessage(consumer.TOPIC, 0, 0, outbox_event.aggregate_id.encode(),
                          encode(outbox_event.type, outbox_event.payload),
                          [("id", str(outbox_event.id).encode())])
    return open_envelope(message, consumer.EVENT_TYPES).event


def applied(consumer, events, uow) -> None:
    """Applies `events` in one transaction, the way the runner's batch path does."""
    handlers = Handlers(consumer.HANDLERS, consumer.BATCH_HANDLERS)
    with uow:
        for event in events:
            handlers.apply(type(event).__name__, [event], uow)
        uow.commit()


# Orders into access users -------------------------------------------------------------------

def test_an_orders_customer_becomes_a_user_with_its_name_and_is_announced():
    uow = FakeAccessUnitOfWork()
    applied(access_customers, [order_placed("Ana@Example.com", "Ana")], uow)
    assert uow.name_of("ana@example.com") == ("Ana", 1)
    assert announced(uow) == [("ana@example.com", "Ana", 1)]


def test_an_orders_name_renames_an_existing_user_and_the_same_name_changes_nothing():
    uow = FakeAccessUnitOfWork()
    users.create_user(uow, "ana@example.com", "Ana", now=NOW)
    applied(access_customers, [order_placed("ana@example.com", "Ana")], uow)
    assert announced(uow) == [("ana@example.com", "Ana", 1)], "no echo of a name already held"
    applied(access_customers, [order_placed("ana@example.com", "Ana S.")], uow)
    assert announced(uow)[-1] == ("ana@example.com", "Ana S.", 2)


def test_of_one_customers_orders_in_a_batch_the_last_name_stays():
    uow = FakeAccessUnitOfWork()
    batch = [order_placed("ana@example.com", "Ana"), order_placed("bob@example.com", "Bob"),
             order_placed("ana@example.com", "Ana Souza")]
    with uow:
        access_customers.handle_orders_placed(batch, uow)
        uow.commit()
    assert uow.name_of("ana@example.com") == ("Ana Souza", 2)
    assert uow.name_of("bob@example.com") == ("Bob", 1)


def test_other_order_events_leave_the_users_alone():
    uow = FakeAccessUnitOfWork()
    order = Order.place(Customer("ana@example.com", "Ana"), [OrderItem.of(XYZ, 1)],
                        CardSummary("visa", "4242"), NOW)
    order.events.clear()
    order.fail("card_declined", "Declined", NOW)
    applied(access_customers, [read(access_customers, sales_to_outbox(order.events[0]))], uow)
    assert uow.committed.users == {} and uow.published == []


# Access users into the sales copy -----------------------------------------------------------

def copied(uow, user_id, version, name, email="ana@example.com") -> bool:
    with uow:
        taken = copy_access_user(uow, AccessUser(user_id, email, name, version))
        uow.commit()
    return taken


def test_the_sales_copy_takes_a_newer_version_and_ignores_an_older_or_repeated_one():
    uow = FakeSalesUnitOfWork()
    assert copied(uow, 7, 2, "Ana Souza")
    assert not copied(uow, 7, 1, "Ana")
    assert not copied(uow, 7, 2, "Ana Souza")
    assert uow.customers_committed == {"ana@example.com": "Ana Souza"}
    assert copied(uow, 7, 3, "Ana S.") and uow.customers_committed["ana@example.com"] == "Ana S."


def test_a_user_created_again_under_the_same_email_wins_from_its_first_version():
    uow = FakeSalesUnitOfWork()
    copied(uow, 7, 5, "Old Ana")
    assert copied(uow, 9, 1, "New Ana"), "a later user id is newer than any version of the old"
    assert not copied(uow, 7, 6, "Old Ana again"), "the old user's late event is stale"
    assert uow.customers_committed == {"ana@example.com": "New Ana"}


def test_a_user_without_a_name_leaves_the_copy_as_it_is():
    uow = FakeSalesUnitOfWork()
    copied(uow, 7, 1, "Ana")
    assert not copied(uow, 7, 2, None)
    assert not copied(uow, 8, 1, None, email="nameless@example.com")
    assert uow.customers_committed == {"ana@example.com": "Ana"}


# Both directions, and where the round trip ends --------------------------------------------

class Shop:
    """Both services' units of work, and how far the sales copy has read access.user."""

    def __init__(self):
        self.sales, self.access, self.read_up_to = FakeSalesUnitOfWork(), FakeAccessUnitOfWork(), 0

    def order(self, email: str, name: str) -> None:
        """An order placed: the sales copy written as place_order writes it, then OrderPlaced
        applied by access-customers."""
        with self.sales:
            self.sales.customers.from_order(Customer(email, name))
            self.sales.commit()
        applied(access_customers, [order_placed(email, name)], self.access)

    def deliver_user_events(self) -> None:
        """Every UserUpdated not yet read, applied by sales-customers."""
        new = self.access.published[self.read_up_to:]
        applied(sales_customers, [read(sales_customers, e) for e in new], self.sales)
        self.read_up_to += len(new)


def test_both_directions_converge_and_copying_back_announces_nothing():
    shop = Shop()
    shop.order("ana@example.com", "Ana")
    shop.deliver_user_events()
    assert shop.access.name_of("ana@example.com") == ("Ana", 1)

    users.rename_user(shop.access, "ana@example.com", "Ana Souza", now=NOW)
    shop.deliver_user_events()
    assert shop.sales.customers_committed == {"ana@example.com": "Ana Souza"}
    assert shop.sales.published == [], "the sales copy publishes nothing: no way back to access"

    shop.order("ana@example.com", "Ana S.")
    shop.deliver_user_events()
    assert shop.access.name_of("ana@example.com") == ("Ana S.", 3)
    assert shop.sales.customers_committed == {"ana@example.com": "Ana S."}
    assert shop.sales.customer_versions_committed["ana@example.com"][1] == 3

    before = len(shop.access.published)
    shop.order("ana@example.com", "Ana S.")  # the same name again: nothing to announce
    assert len(shop.access.published) == before
