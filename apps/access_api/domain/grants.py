"""Grant rules: who holds which role, from which purchase, until when.

- A purchase grants each of its product's roles for the product's period, from the purchase
  time, or, when the buyer already holds that product's access, from its current end: buying
  the same product twice gives two consecutive periods.
- A cancellation ends that purchase's grants at the cancellation time. Grants of the same
  product that were queued behind it move up, keeping their length, so no paid time is lost.
- A role is held while any live grant covers now; its `until` follows back-to-back grants.
"""
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from apps.access_api.domain.periods import add_period


@dataclass
class Grant:
    purchase_id: str
    product_id: str
    role: str
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None = None
    id: int | None = field(default=None, compare=False)

    @property
    def effective_end(self) -> datetime:
        if self.revoked_at is None:
            return self.ends_at
        return max(self.starts_at, min(self.ends_at, self.revoked_at))


@dataclass(frozen=True)
class HeldRole:
    role: str
    until: datetime
    grants: tuple[Grant, ...]


def grants_for_purchase(existing: list[Grant], purchase_id: str, product_id: str,
                        roles: list[str], unit: str, count: int, purchased_at: datetime) -> list[Grant]:
    """New grants for a purchase; none if this purchase was already granted."""
    if any(g.purchase_id == purchase_id for g in existing):
        return []
    same_product_ends = [g.effective_end for g in existing
                         if g.product_id == product_id and g.effective_end > purchased_at]
    starts_at = max([purchased_at, *same_product_ends])
    ends_at = add_period(starts_at, unit, count)
    return [Grant(purchase_id, product_id, role, starts_at, ends_at) for role in sorted(set(roles))]


def cancel_purchase(grants: list[Grant], purchase_id: str, at: datetime) -> list[Grant]:
    """Ends the purchase's grants and moves up the same product's queued ones; returns changes."""
    cancelled = [g for g in grants if g.purchase_id == purchase_id and g.revoked_at is None]
    if not cancelled:
        return []
    for grant in cancelled:
        grant.revoked_at = at
    product_id = cancelled[0].product_id
    same_product = [g for g in grants if g.product_id == product_id and g.revoked_at is None]
    running_ends = [g.ends_at for g in same_product if g.starts_at <= at < g.ends_at]
    chain_end = max([at, *running_ends])
    queued = sorted((g for g in same_product if g.starts_at > at),
                    key=lambda g: (g.starts_at, g.purchase_id))
    moved = []
    for _, group in groupby(queued, key=lambda g: g.purchase_id):
        group = list(group)
        length = group[0].ends_at - group[0].starts_at
        for grant in group:
            if grant.starts_at != chain_end:
                grant.starts_at, grant.ends_at = chain_end, chain_end + length
                moved.append(grant)
        chain_end = group[0].ends_at
    return cancelled + moved


def held_roles(grants: list[Grant], now: datetime) -> list[HeldRole]:
    """Roles held now, each until the end of its unbroken run of grants."""
    held = []
    for role in sorted({g.role for g in grants}):
        covered_until, chain = now, []
        live = (g for g in grants
                if g.role == role and g.effective_end > now and g.effective_end > g.starts_at)
        for grant in sorted(live, key=lambda g: g.starts_at):
            if grant.starts_at > covered_until:
                break
            covered_until = max(covered_until, grant.effective_end)
            chain.append(grant)
        if covered_until > now:
            held.append(HeldRole(role, covered_until, tuple(chain)))
    return held
