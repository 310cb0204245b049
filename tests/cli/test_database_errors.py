"""A database that cannot be reached is a one-line error with a hint, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accessguard.cli.main import cli
from support.servers import Postgres, free_port, wait_until


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


def _first_line(result: Result) -> str:
    return result.output.strip().splitlines()[0]


def test_unsupported_scheme_is_a_clear_error_without_the_password() -> None:
    url = "mysql://admin:Hunter2-Secret@127.0.0.1:3306/ag"
    result = CliRunner().invoke(cli, ["--db", url, "people", "list"])
    assert _first_line(result).startswith("error: unsupported database 'mysql'")


def test_mistyped_scheme_never_echoes_the_password() -> None:
    url = "postgrsql://admin:Hunter2-Secret@127.0.0.1:5432/ag"
    result = CliRunner().invoke(cli, ["--db", url, "people", "list"])
    assert "Hunter2-Secret" not in result.output


def test_unparsable_url_is_not_echoed() -> None:
    result = CliRunner().invoke(cli, ["--db", "not a url Hunter2-Secret", "people", "list"])
    assert "Hunter2-Secret" not in result.output


def test_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 20)
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{bogus}", "people", "list"])
    assert _first_line(result) == f"error: sqlite:///{bogus} is not an SQLite database"


@pytest.mark.postgres
def test_password_comes_from_the_environment(
    postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that demands a password is reached with $ACCESSGUARD_DATABASE_PASSWORD, not a URL."""
    url = _password_protected_database(postgres)
    monkeypatch.setenv("ACCESSGUARD_DATABASE_PASSWORD", "Db-Pass-7731")
    result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output


@pytest.mark.postgres
def test_without_the_password_the_server_refuses(postgres: Postgres) -> None:
    """The same server refuses the URL alone: the test above really used the variable."""
    url = _password_protected_database(postgres)
    result = CliRunner().invoke(cli, ["--db", url, "people", "list"])
    assert _first_line(result).startswith("error: the database is unavailable:")


def _password_protected_database(postgres: Postgres) -> str:
    """A role that must log in with a password (scram), owning its own database."""
    hba = postgres.datadir / "pg_hba.conf"
    rule = "host all ag_pw 127.0.0.1/32 scram-sha-256\n"
    if rule not in hba.read_text():
        postgres.execute("CREATE ROLE ag_pw LOGIN PASSWORD 'Db-Pass-7731'")
        postgres.execute("CREATE DATABASE ag_pw OWNER ag_pw")
        hba.write_text(rule + hba.read_text())
        postgres.execute("SELECT pg_reload_conf()")
        wait_until(lambda: _refused_without_password(postgres), what="pg_hba reload")
    return f"postgresql+psycopg://ag_pw@127.0.0.1:{postgres.port}/ag_pw"


def _refused_without_password(postgres: Postgres) -> bool:
    import psycopg

    try:
        psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=ag_pw dbname=ag_pw").close()
    except psycopg.OperationalError:
        return True
    return False
