"""The application context: settings, clock and database, built once per process.

The CLI builds one ``App`` and hands it to library functions; tests build their own
with a pinned clock and a temporary database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from accessguard.clock import Clock, SystemClock
from accessguard.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from accessguard.audit.keys import AuditHooks

#: ``audit.keys.INFO_KEY``, repeated so building an App never imports the audit package.
_AUDIT_INFO = "accessguard.audit_hooks"


@dataclass
class App:
    """What every command needs; heavy pieces are created on first use."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    #: What keys and anchors the audit chain (``audit/keys.py``), attached to every
    #: transaction this App opens; None: events are hashed unkeyed. The CLI sets the
    #: Vault-backed one (``vault/audit_store.py``).
    audit: AuditHooks | None = None

    @property
    def actor(self) -> str:
        """Who is acting (recorded in grants and audit events)."""
        return self.settings.actor

    @cached_property
    def engine(self) -> Engine:
        """The database engine for the configured URL."""
        from accessguard.db.engine import database_password, make_engine

        url = self.settings.database_url
        password = None if url.startswith("sqlite") else database_password()
        # Never creates an SQLite file: a read command on a missing database must leave
        # nothing behind (``require_database``); ``upgrade_schema`` creates it.
        return make_engine(url, password=password, create=False)

    def close(self) -> None:
        """Close the database connections this App opened (none if it never used the database)."""
        engine = self.__dict__.pop("engine", None)
        if engine is not None:
            engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """The one transaction door: a Core connection in a transaction on ``db/tables/``.

        Commits on success, rolls back on error; the schema must exist (``accessguard init``).
        """
        with self._database(), self.engine.begin() as connection:
            # ``Connection.info`` outlives this checkout (it belongs to the pooled DBAPI
            # connection): set on every begin, removed at the end.
            if self.audit is not None:
                connection.info[_AUDIT_INFO] = self.audit
            try:
                yield connection
            finally:
                connection.info.pop(_AUDIT_INFO, None)

    @contextmanager
    def _database(self) -> Iterator[None]:
        """Check the schema first; a database that fails underneath is the project's error."""
        from sqlalchemy.exc import DatabaseError, OperationalError

        try:
            self.ensure_schema()
            yield
        except DatabaseError as exc:
            if _schema_behind(exc):
                raise _outdated_schema(exc) from None
            if isinstance(exc, OperationalError):
                raise _unavailable(exc) from None
            if "not a database" in str(exc.orig):
                raise _not_a_database(self.settings.database_url) from None
            raise

    def ensure_schema(self) -> None:
        """Refuse to run against a database that was never initialised, with the fix."""
        if getattr(self, "_schema_checked", False):
            return
        from accessguard.db.migrate import is_initialised
        from accessguard.errors import ConfigError

        self.require_database()
        if not is_initialised(self.engine):
            raise ConfigError(
                "the database has no schema yet",
                hint="run `accessguard init` (or `accessguard db upgrade`) first",
                code="db-uninitialised",
            )
        self._schema_checked = True

    def require_database(self) -> None:
        """Refuse an SQLite file that does not exist yet, before anything could create it."""
        from accessguard.db.engine import safe_url, sqlite_file
        from accessguard.errors import ConfigError

        url = self.settings.database_url
        path = sqlite_file(url)
        if path is not None and not path.exists():
            raise ConfigError(
                f"the database {safe_url(url)} does not exist",
                hint="create it with `accessguard init` (or check --db / [database].url)",
                code="db-missing",
            )

    def upgrade_schema(self) -> None:
        """Create the database if it is an SQLite file not there yet; apply every migration."""
        from accessguard.db.engine import create_sqlite_file
        from accessguard.db.migrate import upgrade

        create_sqlite_file(self.settings.database_url)
        upgrade(self.engine)
        self._schema_checked = True


def _not_a_database(url: str) -> Exception:
    """The project's error for an SQLite URL that names a file of some other kind."""
    from accessguard.db.engine import safe_url
    from accessguard.errors import ConfigError

    return ConfigError(
        f"{safe_url(url)} is not an SQLite database",
        hint="check [database].url (or --db): it names a file that holds something else",
        code="db-not-a-database",
    )


def _schema_behind(exc: Exception) -> bool:
    """A table or column the code expects is missing: the schema is older than the code."""
    orig = getattr(exc, "orig", exc)
    if type(orig).__name__ in ("UndefinedColumn", "UndefinedTable"):  # PostgreSQL
        return True
    return str(orig).startswith(("no such column", "no such table"))  # SQLite


def _outdated_schema(exc: Exception) -> Exception:
    """The project's error for a database not yet migrated to this version's schema."""
    from accessguard.errors import ConfigError
    from accessguard.secret import redact

    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    return ConfigError(
        "the database schema is older than this version of accessguard "
        f"({redact(detail[0] if detail else type(exc).__name__)})",
        hint="run `accessguard db upgrade` (safe to repeat), then try again",
        code="db-schema-outdated",
    )


def _unavailable(exc: Exception) -> Exception:
    """The project's error for a database that cannot be reached or written."""
    from accessguard.errors import DatabaseUnavailableError
    from accessguard.secret import redact

    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    return DatabaseUnavailableError(
        f"the database is unavailable: {redact(detail[0] if detail else type(exc).__name__)}",
        hint="check [database].url (or --db) and that the server is running; "
        "a run that stopped here continues with `accessguard runs resume RUN`",
    )
