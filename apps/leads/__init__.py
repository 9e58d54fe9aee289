"""Leads, a part of the sales service (its database, its outbox, its API): a visitor who gave an
e-mail and a name at checkout, before paying.

A lead is opened by the storefront (`POST /api/leads`), converted when an order from that
e-mail is paid (the `leads` consumer of sales.order), and reminded once of the shop if still
open after LEAD_REMINDER_DELAY (scheduler.py). domain/ holds the rules; service/ the use cases;
adapters/ the table and the events; api/ the endpoints the sales API serves.
"""
