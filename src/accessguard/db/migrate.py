"""Run the Alembic migrations shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect


def alembic_config(engine: Engine) -> object:
    """An Alembic config pointing at the packaged migrations and ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)  # type: ignore[arg-type]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first upgrade."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_initialised(engine: Engine) -> bool:
    """True when the schema has been created."""
    return "alembic_version" in inspect(engine).get_table_names()
