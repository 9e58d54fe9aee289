"""A user record as the users API shows it, the record as an aggregate that announces its
changes, one page of a listing, and a role of the catalogue. Plain Python."""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class User:
    id: int  # the key of the user's role events (topic access.role)
    email: str  # normalised by apps.emails: the one identity shared with the sales events
    name: str | None
    created_at: datetime


@dataclass(frozen=True)
class UserUpdated:
    """A user's record changed; the event states its whole new state (UserUpdated/v1.avsc)."""
    user_id: int
    email: str
    name: str | None
    version: int  # per user: +1 with each change of the record
    occurred_at: datetime


@dataclass(eq=False)
class UserRecord:
    """A user's own record and its version: the aggregate that announces UserUpdated.

    Only a real change is one: a name set to the name the user already has changes nothing and
    announces nothing. That is what ends the round trip between the services: the sales copy
    takes a UserUpdated without answering, and an order repeating the user's name is no change.
    """
    id: int
    email: str
    name: str | None
    version: int
    created_at: datetime
    events: list = field(default_factory=list)

    def rename(self, name: str | None, now: datetime) -> bool:
        """Sets the name; True if it changed (then version + 1 and a UserUpdated)."""
        if name == self.name:
            return False
        self.name, self.version = name, self.version + 1
        self.events.append(UserUpdated(self.id, self.email, name, self.version, now))
        return True

    def shown(self) -> User:
        return User(self.id, self.email, self.name, self.created_at)


@dataclass(frozen=True)
class UserPage:
    users: tuple[User, ...]
    page: int
    pages: int  # how many pages of this size the filter gives
    total: int  # how many users match the filter


@dataclass(frozen=True)
class CatalogueRole:
    """A role the access service has granted at least once, and how."""
    role: str
    sources: tuple[str, ...]  # source types of its grants: purchase, subscription, manual
    products: tuple[str, ...]  # products whose purchases granted it
    holders: int  # users holding it now
