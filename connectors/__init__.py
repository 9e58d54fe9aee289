"""Debezium connector configs (connectors/*.json) and the local stack that runs them."""
