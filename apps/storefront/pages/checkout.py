"""The checkout form (/checkout): records the visitor as a lead, places the order and goes to its
page.

Each rendering of the form carries a fresh Idempotency-Key: a double click or a resubmitted
page sends the same key, and the sales API answers with the order it already made.

The lead (e-mail and name, before paying) is recorded first, so a visitor whose payment never
comes gets one reminder (apps/leads), and an order paid from the e-mail converts it. It is best
effort: a lead is a reminder aid, never a gate to paying, so a refused lead (the order's own
422 then names the field) or the leads API away lets the order go ahead.
"""
import uuid

from flask import (Blueprint, current_app, make_response, redirect, render_template, request,
                   url_for)

from apps.storefront import cart as carts
from apps.storefront.checkout_form import (KEPT_ON_ERROR, FormErrors, customer_json, form_errors,
                                            order_json)
from apps.storefront.client import ApiUnavailable, Rejected
from apps.storefront.pages import current_cart, save_cart, shop_api
from apps.storefront.security import remember_customer

blp = Blueprint("checkout", __name__)


def checkout_page(lines, values: dict, errors: FormErrors, status: int = 200):
    page = render_template("checkout.html", lines=lines, totals=carts.totals(lines), values=values,
                           errors=errors, idempotency_key=str(uuid.uuid4()))
    return page, status


def valid_key(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return str(uuid.uuid4())


def record_lead(form) -> None:
    """The visitor's lead, before the order (best effort: see above)."""
    customer = customer_json(form)
    try:
        shop_api().record_lead(customer["email"], customer["name"])
    except Rejected:
        pass  # an invalid e-mail or name: the order's 422 shows it beside its field
    except ApiUnavailable as error:
        current_app.logger.warning("lead not recorded: %s", error)


@blp.get("/checkout")
def form():
    """The form: customer, card, and the cart's summary."""
    lines = carts.lines(current_cart(), shop_api().products())
    if not lines:
        return redirect(url_for("catalogue.cart"), code=303)
    return checkout_page(lines, {}, FormErrors())


@blp.post("/checkout")
def place_order():
    """Places the order; on a 422 the form again with each error beside its field."""
    cart = current_cart()
    lines = carts.lines(cart, shop_api().products())
    if not lines:
        return redirect(url_for("catalogue.cart"), code=303)
    record_lead(request.form)
    try:
        order = shop_api().place_order(order_json(request.form, {l.product["id"]: l.quantity for l in lines}),
                                       valid_key(request.form.get("idempotency_key", "")))
    except Rejected as refusal:
        values = {name: request.form.get(name, "") for name in KEPT_ON_ERROR}
        return checkout_page(lines, values, form_errors(refusal.body), status=422)
    save_cart({})
    response = make_response(redirect(url_for("orders.order", order_id=order["id"]), code=303))
    remember_customer(response, order["customer"]["email"])
    return response
