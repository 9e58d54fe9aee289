"""Ending grants at their end time: the scheduler's use cases."""
from dataclasses import dataclass
from datetime import datetime

from apps.access_api.domain.grants import Grant


@dataclass(frozen=True)
class ExpiryPass:
    ended: list[Grant]  # the grants ended by time in this pass
    events: int  # role events written (RoleRevoked / RoleShortened, reason EXPIRY)


def end_due_grants(uow, now: datetime, limit: int = 500) -> ExpiryPass:
    """Ends grants due by `now`, at most `limit` of them (and any others of the same users), in
    one transaction. Users another transaction holds are skipped, so two schedulers share the
    work and never end the same grant twice: each re-reads a user's grants under its lock."""
    with uow:
        ledgers = uow.ledgers.lock_due(now, limit)
        ended = [grant for ledger in ledgers for grant in ledger.expire(now)]
        events = sum(len(ledger.events) for ledger in ledgers)
        uow.ledgers.save(ledgers)
        uow.commit()
    return ExpiryPass(ended, events)


def next_due_end(uow) -> datetime | None:
    """The earliest end among live grants, if any."""
    with uow:
        return uow.ledgers.next_due()
