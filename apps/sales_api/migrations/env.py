"""Alembic entry point for the sales database."""
from apps.alembic_env import run_migrations

run_migrations("sales")
