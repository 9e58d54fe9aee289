"""Access adapters: PostgreSQL tables and repositories."""
