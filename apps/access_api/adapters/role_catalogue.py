"""The role catalogue from what the access database knows: the roles of its grants.

The access service never reads the sales database, so a product's roles are known here from
the sales events that granted them (each PurchaseCompleted names its product's roles), a plan's
from its subscription grants, and a manual role from an operator's grant. One pass over the
grants and one over the effective roles; the catalogue is small (one row per role), the scan
is not, which is acceptable for an operator's page and would want a table of its own at scale.
"""
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from apps.access_api.domain.users import CatalogueRole

CATALOGUE = text("""
    SELECT g.role,
           array_agg(DISTINCT g.source_type ORDER BY g.source_type) AS sources,
           coalesce(array_agg(DISTINCT g.product_id ORDER BY g.product_id)
                    FILTER (WHERE g.product_id IS NOT NULL), '{}') AS products,
           coalesce(h.holders, 0) AS holders
    FROM grants g
    LEFT JOIN (SELECT role, count(*) AS holders FROM user_roles WHERE until > :now
               GROUP BY role) h ON h.role = g.role
    GROUP BY g.role, h.holders
    ORDER BY g.role
""")


class RoleCatalogue:
    def __init__(self, session: Session):
        self.session = session

    def roles(self, now: datetime) -> list[CatalogueRole]:
        return [CatalogueRole(row.role, tuple(row.sources), tuple(row.products), row.holders)
                for row in self.session.execute(CATALOGUE, {"now": now})]
