"""The fake payment platform's HTTP API (see README.md beside this file).

Every request but /health carries `x-api-key` and `x-api-secret` (else 401). Calls that move
money take an idempotency key and answer the same key with the stored answer (header
`Idempotent-Replayed: true`), or 409 if the key came first with another body. Errors are
`{"code", "message"}`. Log lines name a charge by id, brand and last four digits, never more.
"""
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException

from apps.idempotency.fingerprint import HEADER, RULE, valid_key
from apps.payment_platform import charges
from apps.payment_platform.charges import Problem
from apps.payment_platform.controls import Controls
from apps.payment_platform.store import KeyReused, Store
from apps.payment_platform.webhooks import WebhookSender

log = logging.getLogger("payment-platform")
EXTENSION = "payment_platform"
blp = Blueprint("platform", __name__)
OPEN = {"platform.health"}  # no credentials, no delay: the supervisor's readiness check
MONEY_MOVING = {"platform.create_charge", "platform.refund_charge", "platform.subscription_charge"}


@dataclass
class Platform:
    store: Store
    api_key: str
    api_secret: str
    controls: Controls
    webhooks: WebhookSender | None = None  # tells the shop a subscription charge's outcome


def platform() -> Platform:
    return current_app.extensions[EXTENSION]


def create_app(store: Store, api_key: str, api_secret: str,
               webhooks: WebhookSender | None = None) -> Flask:
    app = Flask(__name__)
    app.extensions[EXTENSION] = Platform(store, api_key, api_secret, Controls(), webhooks)
    app.register_blueprint(blp)
    app.register_error_handler(Problem, lambda p: ({"code": p.code, "message": p.message}, p.status))
    app.register_error_handler(HTTPException, lambda e: (
        {"code": e.name.lower().replace(" ", "_"), "message": e.description}, e.code))
    return app


@blp.before_app_request
def credentials_and_controls():
    if request.endpoint in OPEN:
        return
    given_key = request.headers.get("x-api-key", "").encode()
    given_secret = request.headers.get("x-api-secret", "").encode()
    # Both compared every time, in constant time: the answer tells nothing about either.
    if not (hmac.compare_digest(given_key, platform().api_key.encode())
            & hmac.compare_digest(given_secret, platform().api_secret.encode())):
        raise Problem(401, "unauthorized", "x-api-key and x-api-secret must be the platform's credentials")
    if request.endpoint == "platform.control":
        return
    time.sleep(platform().controls.delay())
    if request.endpoint in MONEY_MOVING and (status := platform().controls.take_failure()):
        raise Problem(status, "failing_on_purpose", f"answering {status} as /_control asked")


def idempotency_key() -> str:
    key = request.headers.get(HEADER, "")
    if not valid_key(key):
        raise Problem(400, "invalid_request", RULE)
    return key


def json_body() -> object:
    return request.get_json(silent=True) if request.content_length else {}


def answer_once(operation: str, key: str, canonical: dict, perform):
    try:
        status, answer, replayed = platform().store.once(operation, key, canonical, perform)
    except KeyReused:
        raise Problem(409, "idempotency_key_reused",
                      f"{HEADER} {key!r} was first used with another request") from None
    if not replayed:
        log.info("%s %s for %s: %s", operation, answer["id"], answer.get("reference"), answer["status"])
    return answer, status, {"Idempotent-Replayed": "true"} if replayed else {}


@blp.get("/health")
@blp.get("/health/live")
@blp.get("/health/ready")
def health():
    return {"status": "ok"}


@blp.post("/charges")
def create_charge():
    key, charge = idempotency_key(), charges.charge_request(json_body())
    today = datetime.now(timezone.utc).date()
    return answer_once("charge", key, charge.canonical(), lambda db: (
        201, Store.add_charge(db, charges.decide_charge(charge, today))))


@blp.post("/order/<request_id>")
def subscription_charge(request_id: str):
    if not valid_key(request_id):
        raise Problem(400, "invalid_request", RULE.replace(HEADER, "The request id"))
    order = charges.subscription_request(json_body())
    answer, status, headers = answer_once("subscription", request_id, order, lambda db: (
        201, Store.add_charge(db, charges.decide_subscription_charge(request_id, order))))
    if platform().webhooks and "Idempotent-Replayed" not in headers:  # told once, when decided
        platform().webhooks.charge_decided(answer)
    return answer, status, headers


@blp.post("/charges/<charge_id>/refunds")
def refund_charge(charge_id: str):
    def perform(db):
        charge = Store.charge_in(db, charge_id)
        if charge is None:
            raise Problem(404, "charge_not_found", f"no charge {charge_id}")
        if charge["refund"]:
            raise Problem(409, "charge_already_refunded", f"charge {charge_id} is already refunded")
        return 201, Store.add_refund(db, charges.refund_for(charge))
    return answer_once("refund", idempotency_key(), {"charge": charge_id}, perform)


@blp.get("/charges/<charge_id>")
def get_charge(charge_id: str):
    charge = platform().store.charge(charge_id)
    if charge is None:
        raise Problem(404, "charge_not_found", f"no charge {charge_id}")
    return charge


@blp.get("/charges")
def list_charges():
    return {"data": platform().store.charges(request.args.get("reference"))}


@blp.route("/_control", methods=["GET", "POST", "DELETE"])
def control():
    if request.method == "DELETE":
        platform().controls.reset()
    elif request.method == "POST":
        platform().controls.update(json_body())
    return platform().controls.state()
