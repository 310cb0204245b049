"""Database: the one schema (``tables/``), engine, column types and Alembic migrations."""
