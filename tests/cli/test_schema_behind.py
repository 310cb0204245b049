"""A database behind this version's schema (the package upgraded, `db upgrade` not run yet)
gets one error naming the fix, on SQLite and PostgreSQL: not "unavailable, is the server
running?" nor a traceback."""

from __future__ import annotations

import pytest

from accessguard.db.engine import make_engine
from accessguard.db.migrate import upgrade
from support.inventory import execute, invoke


@pytest.mark.parametrize("args", [("who-has", "brand-x"), ("accounts", "list")], ids=" ".join)
def test_a_missing_column_asks_for_db_upgrade(database_url: str, args: tuple[str, ...]) -> None:
    execute(database_url, "ALTER TABLE accounts DROP COLUMN archived_at")
    result = invoke(database_url, *args)
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: the database schema is older than this version of accessguard")
    assert "archived_at" in error
    assert hint == "hint: run `accessguard db upgrade` (safe to repeat), then try again"
    assert result.stdout == ""


def test_an_old_database_upgraded_works_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0014")
    engine.dispose()
    assert "db upgrade" in invoke(url, "accounts", "list").stderr
    assert invoke(url, "db", "upgrade").exit_code == 0
    listed = invoke(url, "accounts", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.strip() == "[]"
