"""The planner's own choice of index, asked on a temporary copy of a table: filled with the rows
a test needs and analysed, without touching the real table or its statistics."""
import json

from sqlalchemy import text
from sqlalchemy.dialects import postgresql


def copy_with_indexes(connection, table: str) -> None:
    """A temporary `table` in the open transaction (dropped at its end) that shadows the real
    one, with the real one's indexes under their names (definitions read from pg_indexes)."""
    connection.execute(text(f"CREATE TEMPORARY TABLE {table} "
                            f"(LIKE public.{table} INCLUDING DEFAULTS) ON COMMIT DROP"))
    for (definition,) in connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :t"),
            {"t": table}).all():
        connection.execute(text(definition.replace(f" ON public.{table} ",
                                                   f" ON pg_temp.{table} ")))


def plan_of(connection, statement) -> str:
    """EXPLAIN (FORMAT JSON) of a SQLAlchemy statement, its parameters inlined, as JSON text."""
    compiled = statement.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True})
    return json.dumps(connection.scalar(text(f"EXPLAIN (FORMAT JSON) {compiled}")))


def plan_on_copy(engine, table: str, fill: str, parameters: dict, statement) -> str:
    """The plan of `statement` over a temporary copy of `table`, filled by the SQL `fill` and
    analysed; the copy goes with the transaction, rolled back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            copy_with_indexes(connection, table)
            connection.execute(text(fill), parameters)
            connection.execute(text(f"ANALYZE pg_temp.{table}"))
            return plan_of(connection, statement)
        finally:
            transaction.rollback()
