"""An order's page (/orders/<id>, refreshing until it settles) and the history (/orders).

Orders are shown only to the customer of the signed cookie set at checkout: the storefront's
key can read any order, and an order id in a shared link must not show a stranger's order.
"""
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for

from apps.storefront.order_status import progress
from apps.storefront.pages import save_cart, shop_api
from apps.storefront.security import current_customer, same_customer

blp = Blueprint("orders", __name__)
PAGE_SIZE = 10


def customers_order(order_id: str) -> dict:
    order = shop_api().order(order_id)
    if order is None or not same_customer(order["customer"]["email"], current_customer()):
        abort(404, description="We could not find that order in this browser's orders.")
    return order


def order_progress(order: dict):
    held = shop_api().roles(order["customer"]["email"]) if order["status"] == "paid" else []
    return progress(order, held)


@blp.get("/orders/<order_id>")
def order(order_id: str):
    """The order, its payment status, and once paid the courses it opened."""
    found = customers_order(order_id)
    return render_template("order.html", order=found, progress=order_progress(found))


@blp.get("/orders/<order_id>/status")
def status(order_id: str):
    """What the order page's script polls: reload when the status changes or it settles."""
    state = order_progress(customers_order(order_id))
    return jsonify(status=state.status, settled=state.settled)


@blp.post("/orders/<order_id>/retry")
def retry(order_id: str):
    """A failed order's items back in the cart, and on to the checkout for another card."""
    found = customers_order(order_id)
    save_cart({item["productId"]: item["quantity"] for item in found["items"]})
    return redirect(url_for("checkout.form"), code=303)


@blp.get("/orders")
def history():
    """The cookie's customer's orders, newest first, PAGE_SIZE a page."""
    customer = current_customer()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    listing = shop_api().customer_orders(customer, page, PAGE_SIZE) if customer else None
    return render_template("orders.html", customer=customer, listing=listing, page=page)
