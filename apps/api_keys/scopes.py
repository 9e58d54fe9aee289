"""Every scope an API key can carry, in one place: views, the command and the dev key read it.

A scope is `<resource>:<action>`. Add one here before a view declares it; a view naming an unknown
scope fails at import, and the command refuses unknown scopes.
"""

SCOPES = (
    "users:read",      # access API: a user's roles
    "users:write",
    "grants:write",
    "catalog:write",   # sales API: products and their roles
    "orders:read",     # sales API: orders and a customer's order history
    "orders:write",    # sales API: place and cancel orders (the storefront)
    "billing:read",    # sales API: subscriptions, the eligible list, reports
    "billing:write",   # sales API: subscribe, pause, resume, cancel, change plan, charge
    "leads:read",      # sales API: leads and their conversion summary
    "leads:write",     # sales API: record a lead at checkout (the storefront)
)


class UnknownScope(ValueError):
    def __init__(self, scope: str):
        super().__init__(f"unknown scope {scope!r}; known scopes: {', '.join(SCOPES)}")
        self.scope = scope


def known(scopes) -> tuple[str, ...]:
    """`scopes` without repeats, in the order given, or UnknownScope naming the first unknown one."""
    for scope in scopes:
        if scope not in SCOPES:
            raise UnknownScope(scope)
    return tuple(dict.fromkeys(scopes))
