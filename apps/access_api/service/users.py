"""The users API's reads and record edits: list, create, read, rename users; a user's grant
history; the role catalogue. Changes to roles go through the ledger (service/roles.py).

Users are also created by the access consumer on a first sale (service/grants.py); both go
through the one e-mail rule, so an address typed here and the buyer of a sale meet in one row.
"""
from datetime import datetime

from apps.access_api.domain.grants import Grant
from apps.access_api.domain.users import CatalogueRole, User, UserPage
from apps.access_api.service.grants import UnknownUser, utc_now
from apps.emails import normalise_email


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


def create_user(uow, email: str, name: str | None = None) -> User:
    email = normalise_email(email)
    with uow:
        created = uow.directory.add(email, name)
        if created is None:
            raise UserExists(email)
        uow.commit()
    return created


def get_user(uow, email: str) -> User:
    email = normalise_email(email)
    with uow:
        found = uow.directory.find(email)
    return existing(found, email)


def rename_user(uow, email: str, name: str | None) -> User:
    email = normalise_email(email)
    with uow:
        renamed = existing(uow.directory.rename(email, name), email)
        uow.commit()
    return renamed


def grant_history(uow, email: str) -> list[Grant]:
    """Every grant the user has had, ended ones included with their reasons, oldest first."""
    email = normalise_email(email)
    with uow:
        found = existing(uow.directory.find(email), email)
        return uow.grants.for_user(found.id)


def role_catalogue(uow, now: datetime | None = None) -> list[CatalogueRole]:
    with uow:
        return uow.role_catalogue.roles(now or utc_now())


def existing(user: User | None, email: str) -> User:
    if user is None:
        raise UnknownUser(email)
    return user
