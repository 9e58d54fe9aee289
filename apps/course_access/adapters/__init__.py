"""The courses database: tables and repositories."""
