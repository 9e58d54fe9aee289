"""GET /health/live and /health/ready: for the process supervisor and the load balancer.

Both are open (no API key). Readiness asks the API's database for `SELECT 1` through a pool of
its own, one connection with two-second limits on connecting, waiting and the statement, so
the answer is quick when the database is away, and a request pool busy with real work neither
delays the probe nor makes a healthy database look down.
"""
import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy import Engine, create_engine, text

from apps.web.errors import database_unavailable_error

TIMEOUT_SECONDS = 2  # libpq's connect_timeout has a floor of 2 s
EXTENSION = "readiness_engine"

blp = Blueprint("health", __name__, url_prefix="/health",
                description="Liveness and readiness probes (no authentication).")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ready"})


def readiness_engine(engine: Engine) -> Engine:
    return create_engine(
        engine.url, pool_size=1, max_overflow=0, pool_timeout=TIMEOUT_SECONDS, pool_pre_ping=True,
        connect_args={"connect_timeout": TIMEOUT_SECONDS,
                      "options": f"-c statement_timeout={TIMEOUT_SECONDS * 1000}"})


@blp.route("/live")
class Live(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Answers while the process serves requests; it never reads the database."""
        return {"status": "live"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=ErrorSchema,
                      description="The database did not answer within 2 s; `Retry-After` says when to ask again")
    def get(self):
        """Answers 200 when the API's database answers within 2 s."""
        try:
            with current_app.extensions[EXTENSION].connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure to get an answer means not ready
            current_app.logger.warning("not ready: %s", type(error).__name__)
            raise database_unavailable_error("not ready: the database did not answer") from None
        return {"status": "ready"}
