"""Grant rules: who holds which role, from which source, until when.

- A purchase grants each of its product's roles for the product's period, from the purchase
  time, or, when the buyer already holds that product's access, from its current end: buying
  the same product twice gives two consecutive periods.
- A cancellation ends that purchase's grants at the cancellation time. Grants of the same
  product that were queued behind it move up, keeping their length, so no paid time is lost.
- A role is held while at least one grant of it is live (not ended, its end still ahead); it
  lasts until the latest end of the chain of back-to-back live grants.

A grant ended by time alone (`end_reason` EXPIRY, or none yet) still *stands*: its end is
`ends_at`, and a rule applied as of an earlier moment (a cancellation delivered late) treats it
as it was then. A grant ended by an action (cancellation, operator, deletion) ends at `ended_at`.
No rule leaves a gap inside a role's chain: every grant starts at or before its creation time,
or at the end of a grant it queues behind.
"""
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from apps.access_api.domain.events import Reason, Source, SourceType
from apps.durations import Duration


@dataclass
class Grant:
    role: str
    starts_at: datetime
    ends_at: datetime
    source_type: SourceType
    source_id: str
    product_id: str | None = None
    ended_at: datetime | None = None
    end_reason: Reason | None = None
    note: str | None = None  # the operator's words for a manual grant
    end_note: str | None = None  # the operator's words for a manual end
    id: int | None = field(default=None, compare=False)

    @property
    def source(self) -> Source:
        return Source(self.source_type, self.source_id)

    @property
    def purchase_id(self) -> str | None:
        return self.source_id if self.source_type is SourceType.PURCHASE else None

    @property
    def standing(self) -> bool:
        """Not ended by an action: only time ends it."""
        return self.end_reason in (None, Reason.EXPIRY)

    @property
    def effective_end(self) -> datetime:
        if self.standing:
            return self.ends_at
        return max(self.starts_at, min(self.ends_at, self.ended_at))

    def live(self, now: datetime) -> bool:
        return self.effective_end > max(now, self.starts_at)

    def end(self, at: datetime, reason: Reason, note: str | None = None) -> None:
        self.ended_at, self.end_reason, self.end_note = at, reason, note


@dataclass(frozen=True)
class HeldRole:
    role: str
    until: datetime
    grants: tuple[Grant, ...]


def grants_for_purchase(existing: list[Grant], purchase_id: str, product_id: str,
                        roles: list[str], duration: Duration, purchased_at: datetime) -> list[Grant]:
    """New grants for a purchase; none if this purchase was already granted."""
    if any(g.purchase_id == purchase_id for g in existing):
        return []
    same_product_ends = [g.effective_end for g in existing
                         if g.product_id == product_id and g.effective_end > purchased_at]
    starts_at = max([purchased_at, *same_product_ends])
    ends_at = duration.after(starts_at)
    return [Grant(role, starts_at, ends_at, SourceType.PURCHASE, purchase_id, product_id)
            for role in sorted(set(roles))]


def cancel_purchase(grants: list[Grant], purchase_id: str, at: datetime) -> list[Grant]:
    """Ends the purchase's grants and moves up the same product's queued ones; returns changes."""
    cancelled = [g for g in grants if g.purchase_id == purchase_id and g.standing and g.ends_at > at]
    for grant in cancelled:
        grant.end(at, Reason.CANCELLATION)
    if not cancelled:
        return []
    return cancelled + move_up(grants, cancelled[0].product_id, at)


def end_grant(grants: list[Grant], grant: Grant, at: datetime, reason: Reason,
              note: str | None = None) -> list[Grant]:
    """Ends one grant (an operator's action, a deletion); the same product's grants of that
    role queued behind it move up, as after a cancellation. Returns changes."""
    grant.end(at, reason, note)
    if grant.product_id is None:
        return [grant]
    return [grant, *move_up(grants, grant.product_id, at, grant.role)]


def move_up(grants: list[Grant], product_id: str, at: datetime, role: str | None = None) -> list[Grant]:
    """The product's standing grants queued after `at` start back to back from the end of what
    still runs at `at`, keeping their length (no paid time lost, no gap); returns the moved."""
    same_product = [g for g in grants if g.product_id == product_id and g.standing
                    and role in (None, g.role)]
    running_ends = [g.ends_at for g in same_product if g.starts_at <= at < g.ends_at]
    chain_end = max([at, *running_ends])
    queued = sorted((g for g in same_product if g.starts_at > at),
                    key=lambda g: (g.starts_at, g.source_id))
    moved = []
    for _, group in groupby(queued, key=lambda g: g.source_id):
        group = list(group)
        length = group[0].ends_at - group[0].starts_at
        for grant in group:
            if grant.starts_at != chain_end:
                grant.starts_at, grant.ends_at = chain_end, chain_end + length
                moved.append(grant)
        chain_end = group[0].ends_at
    return moved


def held_roles(grants: list[Grant], now: datetime) -> list[HeldRole]:
    """Roles held now, each until the end of the chain of its live grants."""
    held = []
    for role in sorted({g.role for g in grants}):
        live = sorted((g for g in grants if g.role == role and g.live(now)),
                      key=lambda g: g.starts_at)
        if not live:
            continue
        until, chain = live[0].starts_at, []
        for grant in live:
            if grant.starts_at > until:
                break
            until = max(until, grant.effective_end)
            chain.append(grant)
        held.append(HeldRole(role, until, tuple(chain)))
    return held
