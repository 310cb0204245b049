"""Engines: SQLite (file created 0600, WAL, serialized writers) or any SQLAlchemy URL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool

from accessguard.errors import ConfigError


def _prepare_sqlite_file(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would honour the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


#: The environment variable that holds the database password (never put it in the URL).
PASSWORD_ENV = "ACCESSGUARD_DATABASE_PASSWORD"
#: The OS keyring entry that holds it when the environment does not.
PASSWORD_KEYRING = "database-password"
_URL_HINT = "use sqlite:///path.db or postgresql+psycopg://user@host/db (password from $ACCESSGUARD_DATABASE_PASSWORD)"
_SUPPORTED = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg")}


def safe_url(url: str) -> str:
    """``url`` with any password masked, for messages (an unparsable URL is not shown at all)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unparsable URL)"


def database_password(environ: Mapping[str, str] | None = None) -> str | None:
    """The database password: ``$ACCESSGUARD_DATABASE_PASSWORD``, else the OS keyring, else None."""
    env = os.environ if environ is None else environ
    if value := env.get(PASSWORD_ENV):
        return value
    from accessguard.secrets_store import get_value

    return get_value(PASSWORD_KEYRING)


def _parse(url: str) -> tuple[URL, str]:
    """``url`` parsed, and its backend; ConfigError for an unparsable or unsupported URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"invalid database URL {safe_url(url)}", hint=_URL_HINT, code="db-url"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in _SUPPORTED or driver not in _SUPPORTED[backend]:
        raise ConfigError(
            f"unsupported database {parsed.drivername!r} in {safe_url(url)}: "
            "accessguard runs on SQLite or PostgreSQL (psycopg)",
            hint=_URL_HINT,
            code="db-url",
        )
    return parsed, backend


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite ``url`` names; None for a server URL or an in-memory database."""
    parsed, backend = _parse(url)
    database = parsed.database or ""
    if backend != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def create_sqlite_file(url: str) -> None:
    """Create the file an SQLite ``url`` names (0600, its folder 0700); only ``init`` should."""
    if (path := sqlite_file(url)) is not None:
        _prepare_sqlite_file(path)


def make_engine(
    url: str, *, password: str | None = None, create: bool = True, **kwargs: Any
) -> Engine:
    """Build an engine for ``url``; SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE``.

    ``password`` is set on a server URL that carries none, so it never has to be written
    into a URL (which ends up in shell history, config files and process listings).
    ``create=False`` leaves a missing SQLite file missing (the App checks it exists first;
    only ``init`` and ``db upgrade`` create one, with ``create_sqlite_file``).
    """
    parsed, backend = _parse(url)
    if backend == "sqlite":
        if create:
            create_sqlite_file(url)
        # SQLite has one writer at a time. One pooled connection per process makes this
        # process's threads queue in Python (woken at once when it is free) rather than in
        # SQLite's busy handler, which sleeps up to 100 ms between tries; other processes
        # still wait through the busy timeout.
        kwargs.setdefault("poolclass", QueuePool)
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 600)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _serialize_sqlite_writers(engine)
        return engine
    parsed = parsed.set(drivername="postgresql+psycopg")
    if password and parsed.password is None:
        parsed = parsed.set(password=password)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def read_only_engine(url: str, *, password: str | None = None) -> Engine:
    """An engine for reading only (shell completion): never creates or writes an SQLite file.

    SQLite opens in read-only mode (no ``BEGIN IMMEDIATE``, no WAL switch); a server gets a
    short connect timeout, since a shell waits on it.
    """
    path = sqlite_file(url)
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"{safe_url(url)} does not exist", code="db-missing")
        uri = f"file:{path.resolve().as_posix()}?mode=ro"
        return create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
        )
    if make_url(url).drivername.startswith("sqlite"):  # in memory: nothing to read
        raise ConfigError("an in-memory database holds nothing to read", code="db-missing")
    return make_engine(url, password=password, connect_args={"connect_timeout": 2})


def _serialize_sqlite_writers(engine: Engine) -> None:
    """Make every SQLite transaction ``BEGIN IMMEDIATE`` so writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a killed process loses nothing; only power loss can drop the
        # newest commits, which resume reconciles (rotations are keyed, Vault is the truth).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
