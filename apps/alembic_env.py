"""The body of every service's Alembic env.py: online migrations against its own database."""
from alembic import context
from sqlalchemy import create_engine

from apps.settings import database_url


def run_migrations(service: str) -> None:
    url = context.config.get_main_option("sqlalchemy.url") or database_url(service)
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
