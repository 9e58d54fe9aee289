"""Kafka consumers: handlers per event type; `python -m apps.consumers` runs them."""
