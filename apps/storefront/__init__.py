"""The storefront: the web shop customers use (catalogue, cart, checkout, orders).

A Flask app of its own that renders HTML on the server and talks to the sales and access APIs
over HTTP only, with its own API key (client.py); it has no database. The cart lives in Flask's
signed session cookie, the customer for the history page in a signed cookie set at checkout.
Run it with `python -m apps.storefront --port 8002` (gunicorn underneath, see __main__.py).
"""
