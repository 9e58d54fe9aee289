"""The storefront's pages, one blueprint per part of the shop; what they share is here."""
from flask import current_app, session

from apps.storefront.client import ShopApi

API_EXTENSION = "shop_api"


def shop_api() -> ShopApi:
    return current_app.extensions[API_EXTENSION]


def current_cart() -> dict[str, int]:
    """The cart from the signed session cookie: `{product id: quantity}`."""
    return dict(session.get("cart") or {})


def save_cart(cart: dict[str, int]) -> None:
    session["cart"] = cart
