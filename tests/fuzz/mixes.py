"""What the fuzzer mixes into schemathesis's requests: real credentials and known ids, so that the
happy paths (201, 200) are reached and their responses checked too; and odd credentials, which
schemathesis does not send by itself.

A schemathesis `flatmap_case` hook; Hypothesis draws the mix, seeded like the rest of the case.
Each request gets one of four:
- real credentials (the service key in a checkout body, an API key in `Authorization`), all else
  as generated: this takes the generated values past the key checks, so it comes first in MIXES
  and Hypothesis, which favours first choices, draws it for about half of the requests;
- odd credentials: an `Authorization` of any scheme and any bytes HTTP allows in a header, and in
  a checkout body a `serviceKey` of any text JSON can carry, lone surrogates and control
  characters included (schemathesis sends only what the spec's bearer scheme describes, and
  text that Hypothesis can encode as UTF-8);
- all real: credentials, a seeded product or plan, a buyer who has purchases, the session's
  paid order and its customer, the session's subscription and its first charge; a generated
  `Idempotency-Key` becomes a fresh UUID, the header's intended use, since a generated one may
  repeat a key that an earlier run stored with another body.
  Writes that succeed once take values made for them (bodies.py): a new user, product, order,
  plan, subscription or charge gets fresh names (a seeded run would repeat its generated ones,
  all taken after the first run), a deletion the session's disposable user, a product's change
  or archiving the session's disposable product, a plan's change the session's disposable plan
  (never a seeded one the other operations sell; the change keeps it archived or inactive), the
  end of a grant the session's live grant, a manual grant a valid body, a plan change the
  upgrade to plan_54321, a payment webhook a payment_success signed with the shared secret over
  the exact bytes sent. The paid order and the session's second subscription are cancelled by
  the first such request; the later ones answer 409, documented;
- as generated.
What a mix does not touch stays generated (other headers, schema-breaking parts).
"""
import base64
import json
import uuid
from dataclasses import dataclass

from hypothesis import strategies as st

from apps.billing import signatures
from tests.fuzz.bodies import (FRESH_BODIES, SUBSCRIBED_PLAN, SUBSCRIPTION_STATUS, fresh_address,
                               fresh_request_id, signed_payment)

AS_GENERATED, ODD_CREDENTIALS = "as generated", "odd credentials"
REAL_CREDENTIALS, ALL_REAL = "real credentials", "all real"
# First the most useful: real credentials take the generated values past the key checks.
MIXES = (REAL_CREDENTIALS, ODD_CREDENTIALS, ALL_REAL, AS_GENERATED)
IDEMPOTENCY_KEY = "Idempotency-Key"
PAYMENT_WEBHOOK = ("POST", "/api/webhooks/payment")
# What RFC 9110 allows in a header value: visible ASCII, space, obs-text (0x80-0xFF). gunicorn
# refuses control characters itself, before the app sees the request. Hypothesis draws simple
# values most often, so the simplest one here is odd already: one obs-text byte.
HEADER_TEXT = st.text(st.one_of(st.characters(min_codepoint=0x80, max_codepoint=0xFF),
                                st.characters(min_codepoint=0x20, max_codepoint=0x7E)),
                      min_size=1, max_size=40)
ODD_AUTHORIZATION = st.one_of(
    st.tuples(st.sampled_from(["Basic", "Bearer", "bearer", "Digest", "Token"]),  # Basic is decoded
              st.one_of(HEADER_TEXT, st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode())))
    .map(" ".join),
    HEADER_TEXT.filter(lambda text: not text[:1].isspace()),  # requests refuses a leading space
)
# Any text a JSON string can carry, lone surrogates ("\ud800") included: Hypothesis's `text`
# leaves them out whatever its alphabet, so the characters are joined by hand.
ODD_TEXT = st.lists(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=20).map("".join)


@dataclass(frozen=True)
class Known:
    """Values the running system accepts: credentials, and ids that exist."""
    api_key: str
    service_key: str
    products: tuple[str, ...]
    buyers: tuple[str, ...]
    deletable: str  # a user made to be deleted
    grant: tuple[str, int]  # a live manual grant to be ended: (the user's e-mail, its id)
    disposable_product: str  # an archived fuzz product, to be changed and archived
    order: str  # a paid order's id, to be read and cancelled
    customer: str  # the e-mail of that order's customer: a history with an order in it
    disposable_plan: str  # an inactive fuzz plan, to be changed
    subscription: str  # a subscription to plan_12345: read, charged, upgraded, paid by webhooks
    charge: str  # the request id of that subscription's first charge, to be read
    cancellable: str  # another subscription, to be cancelled
    webhook_secret: str  # the payment webhooks' shared secret (the development default)


@dataclass(frozen=True)
class Mix:
    """What Hypothesis drew for one case."""
    kind: str
    buyer: str
    product: str
    odd_authorization: str
    odd_text: str


def flatmap_case_hook(known: Known):
    """The hook for a schema: each generated case is kept, or given odd or real values."""
    mixes = st.builds(Mix, st.sampled_from(MIXES),
                      st.sampled_from(known.buyers), st.sampled_from(known.products),
                      ODD_AUTHORIZATION, ODD_TEXT)

    def flatmap_case(context, case):
        return mixes.map(lambda mix: mixed(case, known, mix))

    return flatmap_case


def mixed(case, known: Known, mix: Mix):
    if mix.kind == AS_GENERATED:
        return case
    headers = dict(case.headers or {})
    generated_body = case.body if isinstance(case.body, dict) else {}
    checkout = "serviceKey" in body_fields(case.operation)
    if mix.kind == ODD_CREDENTIALS:
        headers["Authorization"] = mix.odd_authorization
        if checkout:
            # Sent as JSON text already: schemathesis validates a dict body it did not generate
            # with a library that cannot hold a lone surrogate, and raises.
            case.body = json.dumps({**generated_body, "serviceKey": mix.odd_text}).encode()
    else:
        if takes_bearer_key(case.operation):
            headers["Authorization"] = f"Bearer {known.api_key}"
        if checkout:
            case.body = {**(generated_body if mix.kind == REAL_CREDENTIALS else {}),
                         "serviceKey": known.service_key}
    if mix.kind == ALL_REAL:
        real_ids(case, known, mix)
        if checkout:
            case.body.update(buyerEmail=mix.buyer, productId=mix.product)
        if IDEMPOTENCY_KEY in headers:
            headers[IDEMPOTENCY_KEY] = str(uuid.uuid4())
        if operation_of(case) == PAYMENT_WEBHOOK:
            # Bytes, sent as they are: the signature covers the raw body.
            case.body, headers[signatures.HEADER] = signed_payment(known.subscription,
                                                                   known.webhook_secret)
    case.headers = headers
    return case


def real_ids(case, known: Known, mix: Mix) -> None:
    """Path parameters and bodies that exist, or can be made, on the running system."""
    path = dict(case.path_parameters or {})
    operation = operation_of(case)
    if "email" in path:
        path["email"] = mix.buyer
    if operation == ("DELETE", "/api/users/{email}"):
        path["email"] = known.deletable
    if operation == ("GET", "/api/customers/{email}/orders"):
        path["email"] = known.customer
    if "grant_id" in path:
        path["email"], path["grant_id"] = known.grant
    if "product_id" in path:
        path["product_id"] = mix.product if operation[0] == "GET" else known.disposable_product
    if "order_id" in path:
        path["order_id"] = known.order
    if "plan_id" in path:
        path["plan_id"] = SUBSCRIBED_PLAN if operation[0] == "GET" else known.disposable_plan
    if "subscription_id" in path:
        path["subscription_id"] = (known.cancellable if operation == SUBSCRIPTION_STATUS
                                   else known.subscription)
    if "request_id" in path:
        path["request_id"] = known.charge if operation[0] == "GET" else fresh_request_id()
    case.path_parameters = path or case.path_parameters
    generated_body = case.body if isinstance(case.body, dict) else {}
    if operation in FRESH_BODIES:
        case.body = FRESH_BODIES[operation]()
    if operation == ("POST", "/api/users"):
        case.body = {**generated_body, "email": fresh_address()}
    if operation == ("PATCH", "/api/products/{product_id}"):
        case.body = {**generated_body, "active": False}  # archived: never in the shop's list
    if operation == ("PATCH", "/api/plans/{plan_id}"):
        case.body = {**generated_body, "status": "inactive"}  # takes nobody, charges nobody


def operation_of(case) -> tuple[str, str]:
    return case.operation.method.upper(), case.operation.path


def takes_bearer_key(operation) -> bool:
    return any("bearerAuth" in requirement for requirement in operation.definition.raw.get("security", []))


def body_fields(operation) -> set[str]:
    return {name for body in operation.body
            for name in body.definition.get("schema", {}).get("properties", {})}
