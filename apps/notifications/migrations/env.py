"""Alembic entry point for the notifications database."""
from apps.alembic_env import run_migrations

run_migrations("notifications")
