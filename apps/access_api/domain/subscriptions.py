"""Subscription grant rules: a subscription holds its plan's roles to the end of its paid period.

- Setting a subscription's roles: each role is held by one live grant of the subscription, kept
  from when it started or new from now, ending at `until` (the end of the paid period). A
  payment moves that end on (RoleExtended), so a renewal is no new grant; a role the plan no
  longer has ends now. An `until` not after now holds nothing: what is live ends now.
- Ending (a pause, a suspension): the subscription's live grants end now.
- Keeping to an end (a cancellation): its live grants end at `until` at the latest, never later
  than they already did; an `until` not after now (or none) ends them now.

Subscription grants queue behind nothing: a role a purchase also grants is held to the later of
the two ends (grants.held_roles), so ending the subscription leaves what the purchase gives.
A moved end keeps the grant *standing* (ended by time alone), so when no payment moves it on,
the expiry scheduler ends it at that end like any purchase's grant.
"""
from datetime import datetime

from apps.access_api.domain.events import Reason, SourceType
from apps.access_api.domain.grants import Grant


def live_subscription_grants(grants: list[Grant], subscription_id: str,
                             now: datetime) -> list[Grant]:
    return [g for g in grants if g.source_type is SourceType.SUBSCRIPTION
            and g.source_id == subscription_id and g.standing and g.live(now)]


def set_subscription_grants(grants: list[Grant], subscription_id: str, roles: list[str],
                            until: datetime, reason: Reason, now: datetime) -> list[Grant]:
    """Adds or moves the subscription's grants so it holds `roles` until `until`; returns the
    grants added or changed."""
    wanted = set(roles) if until > now else set()
    changed = []
    for grant in live_subscription_grants(grants, subscription_id, now):
        if grant.role not in wanted:
            grant.end(now, reason)
            changed.append(grant)
        elif grant.ends_at != until:
            grant.ends_at = until
            changed.append(grant)
    held = {g.role for g in live_subscription_grants(grants, subscription_id, now)}
    new = [Grant(role, now, until, SourceType.SUBSCRIPTION, subscription_id)
           for role in sorted(wanted - held)]
    grants += new
    return changed + new


def end_subscription_grants(grants: list[Grant], subscription_id: str, reason: Reason,
                            now: datetime) -> list[Grant]:
    """Ends the subscription's live grants now; returns them."""
    live = live_subscription_grants(grants, subscription_id, now)
    for grant in live:
        grant.end(now, reason)
    return live


def keep_subscription_grants_until(grants: list[Grant], subscription_id: str,
                                   until: datetime | None, reason: Reason,
                                   now: datetime) -> list[Grant]:
    """The subscription's live grants end at `until` if they would run longer; returns the
    grants changed."""
    if until is None or until <= now:
        return end_subscription_grants(grants, subscription_id, reason, now)
    shortened = [g for g in live_subscription_grants(grants, subscription_id, now)
                 if g.ends_at > until]
    for grant in shortened:
        grant.ends_at = until
    return shortened
