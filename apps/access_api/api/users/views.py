"""/api/users: list, create, read, rename and delete users; GET /api/users/{email}/roles: the
roles a user holds now."""
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema

from apps.access_api.api.uow import new_uow
from apps.access_api.api.users.schemas import (NewUserSchema, UserPageSchema, UserPathSchema,
                                               UserQuerySchema, UserRolesSchema, UserSchema,
                                               UserUpdateSchema)
from apps.access_api.service import roles, users
from apps.access_api.service.grants import roles_of_user
from apps.api_keys.bearer import requires_scope

blp = Blueprint("users", __name__, url_prefix="/api/users",
                description="Users, their roles and the purchases granting them.")

NO_USER = "No user with this e-mail"


@blp.route("")
class Users(MethodView):
    @requires_scope(blp, "users:read")
    # Unknown query parameters are refused like unknown body fields: a misspelt filter must not
    # quietly list everyone.
    @blp.arguments(UserQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
    @blp.response(200, UserPageSchema)
    def get(self, page, page_size, email=None, role=None):
        """List users, oldest first, optionally only the one with an e-mail or those holding a role now."""
        return users.list_users(new_uow(), email=email, role=role, page=page, page_size=page_size)

    @requires_scope(blp, "users:write")
    @blp.arguments(NewUserSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A user with this e-mail exists")
    def post(self, new_user):
        """Create a user; sales to its e-mail then grant roles to this same user."""
        return users.create_user(new_uow(), new_user["email"], new_user["name"])


@blp.route("/<string:email>")
class UserByEmail(MethodView):
    @requires_scope(blp, "users:read")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)  # `email` arrives normalised
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_USER)
    def get(self, email):
        """Read a user."""
        return users.get_user(new_uow(), email)

    @requires_scope(blp, "users:write")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_USER)
    def patch(self, update, email):
        """Change a user's name (the e-mail is the user's identity across services: it stays)."""
        return users.rename_user(new_uow(), email, update["name"])

    @requires_scope(blp, "users:write")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_USER)
    def delete(self, email):
        """Delete a user: every role they hold ends first (RoleRevoked, reason USER_DELETED),
        then the user and their grants go. A later sale to the address creates a new user."""
        roles.delete_user(new_uow(), email)


@blp.route("/<string:email>/roles")
class UserRoles(MethodView):
    @requires_scope(blp, "users:read")
    @blp.arguments(UserPathSchema, location="path", as_kwargs=True)
    @blp.response(200, UserRolesSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NO_USER)
    def get(self, email):
        """Roles the user holds now, each with its end and the purchases granting it."""
        return {"email": email, "roles": roles_of_user(new_uow(), email)}
