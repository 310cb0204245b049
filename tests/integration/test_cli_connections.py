"""A command's database connections end with the command, also when the CLI runs in-process
(a scheduler or a test calling ``cli`` many times): nothing piles up on the server."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import text

from accessguard.db.engine import make_engine
from support.inventory import invoke


def _connections(url: str, database: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"), {"db": database}
            ).scalar_one()
            return int(count) - 1  # this query's own connection
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_in_process_commands_leave_no_connection_open(postgres, _pg_template) -> None:
    name = "t_connections"
    postgres.execute(f"CREATE DATABASE {name} TEMPLATE {_pg_template}")
    url = postgres.url(name)
    frozen = gc.isenabled()
    gc.disable()  # as the CLI itself does while it runs: nothing collects a forgotten engine
    try:
        for n in range(5):
            result = invoke(url, "people", "add", f"p{n}@example.com", "--name", f"P {n}")
            assert result.exit_code == 0, result.stderr
            assert invoke(url, "people", "list").exit_code == 0
        assert _connections(url, name) == 0
    finally:
        if frozen:
            gc.enable()
