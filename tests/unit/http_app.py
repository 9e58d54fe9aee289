"""A small app on apps.web for the HTTP tests: a JSON endpoint, a path parameter, failing views.

Its database is an address where nothing listens, so every test runs without a server and
anything that reaches the database fails as an outage would.
"""
import socket

import psycopg
import sqlalchemy.exc
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import create_engine

from apps.web import create_api
from apps.web.fields import Email, RequestSchema, Text


def closed_port() -> int:
    """A port nothing listens on: bound once to find it free, then let go."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unreachable_database_url() -> str:
    return f"postgresql+psycopg://nobody:nothing@127.0.0.1:{closed_port()}/nothing"


class ThingSchema(RequestSchema):
    name = Text(required=True, max_length=10)
    owner = Email(required=True)


blp = Blueprint("things", __name__, url_prefix="/things", description="Things.")


@blp.route("")
class Things(MethodView):
    @blp.arguments(ThingSchema)
    @blp.response(201, ThingSchema)
    def post(self, thing):
        """Echo the thing."""
        return thing


@blp.route("/<string:key>")
class Thing(MethodView):
    @blp.response(200)
    def get(self, key):
        """Echo the key."""
        return {"key": key}


def failing(error: Exception):
    def view():
        raise error
    return view


FAILURES = {
    "bug": RuntimeError("secret detail of the bug"),
    "dropped": sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("server closed the connection")),
    "invalidated": sqlalchemy.exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
    "pool-timeout": sqlalchemy.exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
    "raw-psycopg": psycopg.OperationalError("connection refused"),
    "integrity": sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
}


def make_app() -> Flask:
    app = Flask("http_app")
    api = create_api(app, "Test API", "For tests.", engine=create_engine(unreachable_database_url()))
    api.register_blueprint(blp)
    for name, error in FAILURES.items():
        app.add_url_rule(f"/fail/{name}", f"fail_{name}", failing(error))
    return app
