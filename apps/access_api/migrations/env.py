"""Alembic entry point for the access database."""
from apps.alembic_env import run_migrations

run_migrations("access")
