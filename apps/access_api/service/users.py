"""The users API's reads and record edits: list, create, read, rename users; a user's grant
history; the role catalogue. Changes to roles go through the ledger (service/roles.py).

Users are also created by the access consumer on a first sale (service/grants.py), and created
or named from the shop's orders (`name_customers`); all go through the one e-mail rule, so an
address typed here, a buyer and a customer meet in one row. Every change of a user's name
writes UserUpdated to the outbox in the same commit (the record is tracked by the directory).
"""
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from apps.access_api.domain.grants import Grant
from apps.access_api.domain.users import CatalogueRole, User, UserPage
from apps.access_api.service.grants import UnknownUser, utc_now
from apps.emails import normalise_email


Found = TypeVar("Found")


class UserExists(Exception):
    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


def list_users(uow, *, page: int, page_size: int, email: str | None = None,
               role: str | None = None, now: datetime | None = None) -> UserPage:
    """Users matching every filter given: the e-mail (exact, after the e-mail rule) and a role
    they hold now."""
    email = None if email is None else normalise_email(email)
    with uow:
        found, total = uow.directory.matching(email, role, now or utc_now(),
                                              offset=(page - 1) * page_size, limit=page_size)
    return UserPage(tuple(found), page, pages=-(-total // page_size), total=total)


def create_user(uow, email: str, name: str | None = None, now: datetime | None = None) -> User:
    email = normalise_email(email)
    with uow:
        created = uow.directory.add(email)
        if created is None:
            raise UserExists(email)
        if created.rename(name, now or utc_now()):  # created with a name: UserUpdated version 1
            uow.directory.save([created])
        uow.commit()
    return created.shown()


def get_user(uow, email: str) -> User:
    email = normalise_email(email)
    with uow:
        found = uow.directory.find(email)
    return existing(found, email)


def rename_user(uow, email: str, name: str | None, now: datetime | None = None) -> User:
    email = normalise_email(email)
    with uow:
        record = existing(uow.directory.lock([email]).get(email), email)
        if record.rename(name, now or utc_now()):  # the same name again: no change, no event
            uow.directory.save([record])
            uow.commit()
    return record.shown()


@dataclass(frozen=True)
class CustomerName:
    """What an order says about its customer: the access service's user by another name."""
    email: str
    name: str


def name_customers(uow, customers: list[CustomerName], now: datetime | None = None) -> None:
    """Creates the users of these orders' customers, or gives them the order's name: an
    order's name is the customer's latest word. In order, so of one customer's orders in a
    batch the last one's name stays. Runs inside the consumer's unit of work."""
    if not customers:
        return
    now = now or utc_now()
    emails = [normalise_email(c.email) for c in customers]
    records = uow.directory.lock(emails, create=True)
    for customer, email in zip(customers, emails):
        records[email].rename(customer.name, now)
    uow.directory.save(list(records.values()))


def grant_history(uow, email: str) -> list[Grant]:
    """Every grant the user has had, ended ones included with their reasons, oldest first."""
    email = normalise_email(email)
    with uow:
        found = existing(uow.directory.find(email), email)
        return uow.grants.for_user(found.id)


def role_catalogue(uow, now: datetime | None = None) -> list[CatalogueRole]:
    with uow:
        return uow.role_catalogue.roles(now or utc_now())


def existing(user: Found | None, email: str) -> Found:
    """The user (or user record) found, else UnknownUser."""
    if user is None:
        raise UnknownUser(email)
    return user
