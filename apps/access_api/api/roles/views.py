"""GET /api/roles: every role the access service knows, with what grants it."""
from flask.views import MethodView
from flask_smorest import Blueprint

from apps.access_api.api.roles.schemas import RoleCatalogueSchema
from apps.access_api.api.uow import new_uow
from apps.access_api.service import users
from apps.api_keys.bearer import requires_scope

blp = Blueprint("roles", __name__, url_prefix="/api/roles",
                description="The role catalogue, from the access service's own grants.")


@blp.route("")
class Roles(MethodView):
    @requires_scope(blp, "users:read")
    @blp.response(200, RoleCatalogueSchema)
    def get(self):
        """Every role granted at least once: by a purchase (the roles a sale's event named), a
        subscription, or an operator; with the products that grant it and its holders now.
        The sales catalogue is not read: a product's roles appear here with its first sale."""
        return {"roles": users.role_catalogue(new_uow())}
