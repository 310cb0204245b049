"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from accessguard.db.base import Base
from accessguard.db.engine import make_engine
from accessguard.db.migrate import current_revision
from accessguard.db.model_index import import_all_models


def test_migrated_database_matches_the_models(database_url: str) -> None:
    import_all_models()
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert current_revision(engine) is not None
    finally:
        engine.dispose()
    assert diff == [], "models and migrations disagree:\n" + "\n".join(map(str, diff))
