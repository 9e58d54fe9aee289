"""/api/users/{email}/grants: a user's grant history, an operator's grant and its end."""
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.access_api.api.grants.schemas import (GrantEndSchema, GrantHistorySchema,
                                                GrantPathSchema, GrantSchema, NewGrantSchema)
from apps.access_api.api.uow import new_uow
from apps.access_api.api.users.schemas import UserPathSchema
from apps.access_api.service import roles, users
from apps.api_keys.bearer import requires_scope

blp = Blueprint("grants", __name__, url_prefix="/api/users",
                description="Each user's grants: what gave each role, for how long, and how it "
                            "ended. Operators grant and end roles by hand here.")


@blp.route("/<string:email>/grants")
class Grants(MethodView):
    @requires_scope(blp, "users:read")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)
    @blp.response(200, GrantHistorySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No user with this e-mail")
    def get(self, email):
        """Every grant the user has had, ended ones included with their reasons."""
        return {"email": email, "grants": users.grant_history(new_uow(), email)}

    @requires_scope(blp, "grants:write")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)
    @blp.arguments(NewGrantSchema)
    @blp.response(201, GrantSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No user with this e-mail")
    def post(self, grant, email):
        """Grant a role by hand from now, until `endsAt` or for a `period`, with a reason."""
        period = grant.get("period")
        return roles.grant_manually(new_uow(), email, grant["role"], grant["reason"],
                                    ends_at=grant.get("endsAt"),
                                    period=period and (period["unit"], period["count"]))


@blp.route("/<string:email>/grants/<int:grant_id>")
class GrantById(MethodView):
    @requires_scope(blp, "grants:write")
    @blp.arguments(GrantPathSchema, location="path", as_kwargs=True)
    # Unknown query parameters are refused: a misspelt `reason` must not end a grant without one.
    @blp.arguments(GrantEndSchema, location="query", as_kwargs=True, unknown=ma.RAISE)
    @blp.response(200, GrantSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No user with this e-mail, or no grant "
                                                           "with this id among the user's")
    @blp.alt_response(409, schema=ErrorSchema, description="The grant has already ended")
    def delete(self, email, grant_id, reason):
        """End one of the user's live grants now, with a reason; returns the ended grant."""
        return roles.end_grant(new_uow(), email, grant_id, reason)
