"""A user's role ledger: their grants, their effective roles as last announced, and the role
events of every change, numbered per user.

Every change goes through `Ledger.change`: it first announces what time alone has ended
(expiry), then applies the change and announces its effect with the change's own reason and
source. Transitions compare the effective roles as last announced (`roles`) with the roles the
grants give now, so no history is replayed: a new role is RoleGranted, a later end
RoleExtended, an earlier end RoleShortened, no live grant left RoleRevoked, and a grant that
moves nothing is no event at all.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apps.access_api.domain.events import (Reason, RoleEvent, RoleExtended, RoleGranted,
                                           RoleRevoked, RoleShortened, Source, SourceType)
from apps.access_api.domain.grants import (Grant, cancel_purchase, end_grant, grants_for_purchase,
                                           held_roles)
from apps.access_api.domain.subscriptions import (end_subscription_grants,
                                                  keep_subscription_grants_until,
                                                  set_subscription_grants)
from apps.durations import Duration


class GrantNotLive(LookupError):
    """No live grant with this id among the user's grants."""


class EndNotAhead(ValueError):
    """A new grant must end after now."""


@dataclass
class Ledger:
    user_id: int
    email: str
    sequence: int  # of the user's last role event; the next one is sequence + 1
    grants: list[Grant]  # live grants, and those ended late enough to matter to the rules
    roles: dict[str, datetime]  # effective roles as last announced: role -> until
    events: list[RoleEvent] = field(default_factory=list)
    deleted: bool = False

    def change(self, apply: Callable[[], object], reason: Reason, source: Source,
               at: datetime, now: datetime):
        """Apply one change as of `at` (its own time, not after `now`); returns what `apply`
        returns."""
        self._announce(Reason.EXPIRY, self._expired_source, now, now)
        result = apply()
        for grant in self.grants:  # bookkeeping: grants run out by now are ended by time
            if grant.standing and grant.ends_at <= now and grant.ended_at != grant.ends_at:
                grant.end(grant.ends_at, Reason.EXPIRY)
        self._announce(reason, lambda role: source, at, now)
        return result

    def buy(self, purchase_id: str, product_id: str, roles: list[str], duration: Duration,
            purchased_at: datetime, now: datetime) -> list[Grant]:
        def apply():
            new = grants_for_purchase(self.grants, purchase_id, product_id, roles, duration,
                                      purchased_at)
            self.grants += new
            return new
        return self.change(apply, Reason.PURCHASE, Source(SourceType.PURCHASE, purchase_id),
                           min(purchased_at, now), now)

    def cancel(self, purchase_id: str, at: datetime, now: datetime) -> list[Grant]:
        at = min(at, now)  # a sales clock ahead of ours must not end a grant in our future
        return self.change(lambda: cancel_purchase(self.grants, purchase_id, at),
                           Reason.CANCELLATION, Source(SourceType.PURCHASE, purchase_id), at, now)

    def grant(self, grant_id: int, role: str, ends_at: datetime, note: str | None,
              now: datetime) -> Grant:
        """An operator's grant of `role` from now until `ends_at`."""
        if ends_at <= now:
            raise EndNotAhead(f"the grant would end at {ends_at.isoformat()}, not after now")
        grant = Grant(role, now, ends_at, SourceType.MANUAL, str(grant_id), note=note, id=grant_id)

        def apply():
            self.grants.append(grant)
            return grant
        return self.change(apply, Reason.MANUAL, grant.source, now, now)

    def end(self, grant_id: int, reason: Reason, note: str | None, now: datetime) -> Grant:
        """Ends one live grant now (an operator's action)."""
        grant = next((g for g in self.grants if g.id == grant_id and g.live(now)), None)
        if grant is None:
            raise GrantNotLive(grant_id)
        self.change(lambda: end_grant(self.grants, grant, now, reason, note), reason,
                    grant.source, now, now)
        return grant

    def subscribe(self, subscription_id: str, roles: list[str], until: datetime, reason: Reason,
                  now: datetime) -> list[Grant]:
        """The subscription holds `roles` from now (or since it first did) until `until`, the
        end of its paid period; roles it no longer has end now."""
        def apply():
            return set_subscription_grants(self.grants, subscription_id, roles, until, reason, now)
        return self._subscription_change(apply, subscription_id, reason, now)

    def end_subscription(self, subscription_id: str, now: datetime,
                         reason: Reason = Reason.SUBSCRIPTION_CHANGE) -> list[Grant]:
        """The subscription's roles end now (a pause, a suspension)."""
        def apply():
            return end_subscription_grants(self.grants, subscription_id, reason, now)
        return self._subscription_change(apply, subscription_id, reason, now)

    def keep_subscription_until(self, subscription_id: str, until: datetime | None,
                                now: datetime,
                                reason: Reason = Reason.SUBSCRIPTION_CHANGE) -> list[Grant]:
        """The subscription's roles last to `until` at the latest (a cancellation: to the end
        of the paid period); none, or one not after now, ends them now."""
        def apply():
            return keep_subscription_grants_until(self.grants, subscription_id, until, reason, now)
        return self._subscription_change(apply, subscription_id, reason, now)

    def _subscription_change(self, apply, subscription_id: str, reason: Reason, now: datetime):
        source = Source(SourceType.SUBSCRIPTION, subscription_id)
        return self.change(apply, reason, source, now, now)

    def expire(self, now: datetime) -> list[Grant]:
        """Ends what time has ended (the scheduler's change: nothing but the clock); returns
        the grants it ended."""
        due = [g for g in self.grants if g.ended_at is None and g.ends_at <= now]
        self.change(lambda: None, Reason.EXPIRY, Source(SourceType.USER, str(self.user_id)), now, now)
        return due

    def delete(self, now: datetime) -> None:
        """End every grant, announcing each role's end, before the user goes."""
        def apply():
            for grant in [g for g in self.grants if g.live(now)]:
                grant.end(now, Reason.USER_DELETED)
        self.change(apply, Reason.USER_DELETED, Source(SourceType.USER, str(self.user_id)), now, now)
        self.deleted = True

    def _expired_source(self, role: str) -> Source:
        """The grant of `role` that ran out last: the cause of an end by time."""
        ran_out = [g for g in self.grants if g.role == role and g.standing]
        if not ran_out:
            return Source(SourceType.USER, str(self.user_id))
        return max(ran_out, key=lambda g: g.ends_at).source

    def _announce(self, reason: Reason, source_of: Callable[[str], Source], at: datetime,
                  now: datetime) -> None:
        held = {h.role: h.until for h in held_roles(self.grants, now)}
        for role in sorted(self.roles.keys() | held.keys()):
            before, until = self.roles.get(role), held.get(role)
            if before == until:
                continue
            common = dict(user_id=self.user_id, email=self.email, role=role,
                          sequence=self.sequence + 1, reason=reason, source=source_of(role),
                          occurred_at=now)
            if before is None:
                event = RoleGranted(**common, until=until)
            elif until is None:
                event = RoleRevoked(**common, until=min(before, at))
            elif until > before:
                event = RoleExtended(**common, until=until, previous_until=before)
            else:
                event = RoleShortened(**common, until=until, previous_until=before)
            self.sequence += 1
            self.events.append(event)
        self.roles = held
