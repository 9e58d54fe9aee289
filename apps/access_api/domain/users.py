"""A user record as the users API shows it, one page of a listing, and a role of the catalogue.
Plain Python."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class User:
    id: int  # the key of the user's role events (topic access.role)
    email: str  # normalised by apps.emails: the one identity shared with the sales events
    name: str | None
    created_at: datetime


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
