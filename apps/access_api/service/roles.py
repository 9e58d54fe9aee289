"""An operator's changes to a user's roles: a manual grant, the end of a grant, the user's
deletion. Each opens and commits its own unit of work; the role events commit with it."""
from datetime import datetime

from apps.access_api.domain.events import Reason
from apps.access_api.domain.grants import Grant
from apps.access_api.domain.ledger import EndNotAhead, GrantNotLive, Ledger
from apps.access_api.domain.periods import add_period
from apps.access_api.service.grants import UnknownUser, utc_now
from apps.emails import normalise_email

__all__ = ["grant_manually", "end_grant", "delete_user", "UnknownUser", "UnknownGrant",
           "GrantAlreadyEnded", "EndNotAhead"]


class UnknownGrant(LookupError):
    """The user has no grant with this id."""


class GrantAlreadyEnded(Exception):
    """The grant exists but has ended (by time or by an action)."""


def locked_ledger(uow, email: str, now: datetime) -> Ledger:
    email = normalise_email(email)
    ledger = uow.ledgers.lock([email], now).get(email)
    if ledger is None:
        raise UnknownUser(email)
    return ledger


def grant_manually(uow, email: str, role: str, reason: str | None = None, *,
                   ends_at: datetime | None = None, period: tuple[str, int] | None = None,
                   now: datetime | None = None) -> Grant:
    """Grants `role` from now until `ends_at`, or for `period` (unit, count), e.g. ("DAY", 7);
    `reason` is kept with the grant. Raises UnknownUser, EndNotAhead."""
    if (ends_at is None) == (period is None):
        raise ValueError("give either ends_at or period")
    now = now or utc_now()
    with uow:
        ledger = locked_ledger(uow, email, now)
        grant = ledger.grant(uow.ledgers.new_grant_id(), role,
                             ends_at or add_period(now, *period), reason, now)
        uow.ledgers.save([ledger])
        uow.commit()
    return grant


def end_grant(uow, email: str, grant_id: int, reason: str | None = None,
              now: datetime | None = None) -> Grant:
    """Ends one of the user's grants now; `reason` is kept with it. Raises UnknownUser,
    UnknownGrant, GrantAlreadyEnded."""
    now = now or utc_now()
    with uow:
        ledger = locked_ledger(uow, email, now)
        try:
            grant = ledger.end(grant_id, Reason.MANUAL, reason, now)
        except GrantNotLive:
            if any(g.id == grant_id for g in uow.grants.for_user(ledger.user_id)):
                raise GrantAlreadyEnded(grant_id) from None
            raise UnknownGrant(grant_id) from None
        uow.ledgers.save([ledger])
        uow.commit()
    return grant


def delete_user(uow, email: str, now: datetime | None = None) -> None:
    """Ends every grant of the user (a RoleRevoked, reason USER_DELETED, for each role held),
    then deletes the user, their grants and effective roles. Raises UnknownUser."""
    now = now or utc_now()
    with uow:
        ledger = locked_ledger(uow, email, now)
        ledger.delete(now)
        uow.ledgers.save([ledger])
        uow.commit()
