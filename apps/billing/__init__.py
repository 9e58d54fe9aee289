"""Subscriptions and billing, a part of the sales service (its database, its outbox, its API).

Plans grant roles while a subscription is paid up. domain/ holds the rules (the lifecycle, the
billing dates, proration, MRR); service/ the use cases; adapters/ the tables and events; api/
the endpoints the sales API serves; scheduler.py the recurring billing.
"""
