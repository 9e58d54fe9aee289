"""Sales adapters: PostgreSQL tables and repositories, event mapping for the outbox."""
