"""The catalogue (/) and the cart (/cart): browse, add, change quantities, remove."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from apps.storefront import cart as carts
from apps.storefront.pages import current_cart, save_cart, shop_api

blp = Blueprint("catalogue", __name__)


@blp.get("/")
def index():
    """Every product on sale, with what it unlocks and a form to add it to the cart."""
    products = [p for p in shop_api().products() if p.get("active", True)]
    return render_template("catalogue.html", products=products, max_quantity=carts.MAX_QUANTITY)


@blp.post("/cart/items")
def add_item():
    """Adds the posted quantity of a product on sale, then back to the catalogue."""
    product_id = request.form.get("product_id", "")
    quantity = carts.quantity_of(request.form.get("quantity", "1"))
    product = shop_api().product(product_id) if product_id else None
    if product is None or not product.get("active", True):
        flash("That course is no longer on sale.", "error")
    elif not quantity:
        flash(f"Choose a quantity from 1 to {carts.MAX_QUANTITY}.", "error")
    else:
        save_cart(carts.added(current_cart(), product["id"], quantity))
        flash(f"{product['name']} was added to your cart.", "success")
    return redirect(url_for("catalogue.index"), code=303)


@blp.post("/cart/items/<product_id>")
def change_item(product_id: str):
    """Sets a line's quantity (0 or the remove button takes it out)."""
    quantity = 0 if request.form.get("action") == "remove" else carts.quantity_of(request.form.get("quantity"))
    if quantity is None:
        flash(f"Choose a quantity from 1 to {carts.MAX_QUANTITY}.", "error")
    else:
        save_cart(carts.updated(current_cart(), product_id, quantity))
    return redirect(url_for("catalogue.cart"), code=303)


@blp.get("/cart")
def cart():
    """The cart's lines, their amounts and the total."""
    lines = carts.lines(current_cart(), shop_api().products())
    return render_template("cart.html", lines=lines, totals=carts.totals(lines),
                           max_quantity=carts.MAX_QUANTITY)
