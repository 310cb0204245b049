"""Database: the one schema (``tables.py``), engine, column types and Alembic migrations."""
