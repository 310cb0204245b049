"""A database that cannot be reached is a one-line error with a hint, never a traceback."""

from __future__ import annotations

from click.testing import CliRunner

from accessguard.cli.main import cli
from support.servers import free_port


def test_unreachable_postgres_is_a_clear_error() -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/accessguard"
    result = CliRunner().invoke(cli, ["--db", url, "people", "list"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error: the database is unavailable:")
    assert lines[1].startswith("hint: ")
    assert "Traceback" not in result.output and "unexpected" not in result.output


def test_uninitialised_sqlite_says_to_run_init(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "who-has", "a"])
    assert result.exit_code == 1
    assert "accessguard init" in result.output and "Traceback" not in result.output
