"""Alembic entry point for the courses database."""
from apps.alembic_env import run_migrations

run_migrations("courses")
