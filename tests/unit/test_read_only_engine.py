"""The engine shell completion reads through: it can neither create nor write a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from accessguard.db.engine import read_only_engine
from accessguard.errors import ConfigError


def test_it_reads(sqlite_url: str) -> None:
    engine = read_only_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar_one() == 0
    engine.dispose()


def test_it_cannot_write(sqlite_url: str) -> None:
    engine = read_only_engine(sqlite_url)
    with engine.connect() as conn, pytest.raises(OperationalError, match="readonly"):
        conn.execute(text("DELETE FROM people"))
    engine.dispose()


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    with pytest.raises(ConfigError) as refused:
        read_only_engine(f"sqlite:///{db}")
    assert (refused.value.code, db.exists()) == ("db-missing", False)
