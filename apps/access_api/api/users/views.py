"""GET /api/users/{email}/roles: the roles a user holds now."""
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema

from apps.access_api.api.users.schemas import UserPathSchema, UserRolesSchema
from apps.access_api.service.grants import UnknownUser, roles_of_user
from apps.access_api.service.uow import AccessUnitOfWork
from apps.api_keys.bearer import requires_scope

blp = Blueprint("users", __name__, url_prefix="/api/users",
                description="Users, their roles and the purchases granting them.")


@blp.route("/<string:email>/roles")
class UserRoles(MethodView):
    @requires_scope(blp, "users:read")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)  # `email` arrives normalised
    @blp.response(200, UserRolesSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No user with this e-mail")
    def get(self, email):
        """Roles the user holds now, each with its end and the purchases granting it."""
        try:
            held = roles_of_user(AccessUnitOfWork(current_app.extensions["access_engine"].connect), email)
        except UnknownUser:
            abort(404, message=f"no user {email}", errors={"path": {"email": ["unknown user"]}})
        return {"email": email, "roles": held}
