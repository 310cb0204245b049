"""Database: engine, session factory, shared column types and Alembic migrations."""
