"""``db/tables/`` is the schema the migrations build, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Index, Table

from accessguard.db import tables
from accessguard.db.engine import make_engine
from accessguard.db.migrate import current_revision, upgrade


def _differences(url: str, metadata: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        assert current_revision(engine) is not None
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgraded_database_matches_the_tables(database_url: str) -> None:
    diff = _differences(database_url, tables.metadata)
    assert diff == [], "db/tables/ and the migrations disagree:\n" + "\n".join(map(str, diff))


def test_an_index_missing_from_the_migrations_is_reported(database_url: str) -> None:
    """The comparison sees indexes, so a table edited without a migration fails the test."""
    from sqlalchemy import MetaData

    copy = MetaData(naming_convention=tables.NAMING_CONVENTION)
    for table in tables.metadata.sorted_tables:
        table.to_metadata(copy)
    people: Table = copy.tables["people"]
    Index("ix_people_name", people.c.name)
    diff = _differences(database_url, copy)
    assert [d[0] for d in diff] == ["add_index"]
