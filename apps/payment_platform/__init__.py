"""A FAKE of the external payment platform (the third-party card processor), for development and
tests only.

The real platform is outside our reach; this small local HTTP server stands in its place at
PAYMENT_PLATFORM_URL with the same API: it checks the API key and secret it is sent, approves
and declines by test card number, keeps every idempotency key's answer in SQLite across
restarts, and can be told to answer slowly or with 5xx (`/_control`). No money moves and no
card network is reached. It refuses to start with APP_ENV=production. See README.md here.
"""
