"""CSRF tokens on every form and the signed cookie that names the customer, both with
itsdangerous and the storefront's secret key (Flask's session cookie uses it too).

A CSRF token is a random nonce kept in the session, signed with its own salt and a time limit:
a page of another site cannot read the session cookie nor forge the signature, so it cannot
post a valid token. The customer cookie carries the e-mail of the last checkout, signed so that
nobody can read another customer's orders by editing it.
"""
import secrets
from datetime import timedelta

from flask import Response, abort, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = timedelta(hours=12)  # a form left open longer has to be reloaded
CUSTOMER_COOKIE = "customer"
CUSTOMER_MAX_AGE = timedelta(days=365)


def signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def csrf_token() -> str:
    """The token for the forms of this page (a Jinja global)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(16)
    return signer("csrf").dumps(session["csrf"])


def check_csrf() -> None:
    """Refuses (400) a POST whose token is missing, forged, expired or from another session."""
    if request.method != "POST":
        return
    token = request.form.get(CSRF_FIELD, "")
    try:
        nonce = signer("csrf").loads(token, max_age=CSRF_MAX_AGE.total_seconds())
    except BadSignature:  # SignatureExpired is one too
        nonce = None
    if nonce is None or nonce != session.get("csrf"):
        abort(400, description="This form has expired or did not come from this shop. "
                               "Go back, reload the page and try again.")


def remember_customer(response: Response, email: str) -> None:
    response.set_cookie(CUSTOMER_COOKIE, signer("customer").dumps(email),
                        max_age=int(CUSTOMER_MAX_AGE.total_seconds()), httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


def current_customer() -> str | None:
    """The e-mail of the signed customer cookie; None when absent, tampered with or expired."""
    cookie = request.cookies.get(CUSTOMER_COOKIE)
    if not cookie:
        return None
    try:
        return signer("customer").loads(cookie, max_age=CUSTOMER_MAX_AGE.total_seconds())
    except BadSignature:
        return None


def same_customer(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().lower() == b.strip().lower()
