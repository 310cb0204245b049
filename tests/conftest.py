"""Shared fixtures: databases (SQLite and a real PostgreSQL), OpenBao, SCIM, apps with a pinned clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from support.servers import (
    OpenBao,
    Postgres,
    ScimServer,
    openbao_server,
    postgres_server,
    scim_server,
)

PINNED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's config, data dir or Vault environment."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ACCESSGUARD_HOME", str(home))
    # Step-up is on by default; tests of other things switch it off in the config file,
    # as an admin would (audited at every run); step-up tests switch it back on.
    config = home / "config.toml"
    config.write_text("[offboarding]\nstep_up = false\n", encoding="utf-8")
    config.chmod(0o600)
    for var in (
        "ACCESSGUARD_CONFIG",
        "ACCESSGUARD_DATABASE_URL",
        "VAULT_ADDR",
        "VAULT_TOKEN",
        "VAULT_NAMESPACE",
        "VAULT_CACERT",
        "VAULT_CAPATH",
        "VAULT_CLIENT_CERT",
        "VAULT_CLIENT_KEY",
        "VAULT_SKIP_VERIFY",
        "BAO_CACERT",
        "BAO_CAPATH",
        "BAO_SKIP_VERIFY",
        "ACCESSGUARD_SLACK_WEBHOOK",
        "ACCESSGUARD_SMTP_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ACCESSGUARD_ACTOR", "tester@example.com")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One PostgreSQL server for the whole session."""
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def _pg_template(postgres: Postgres) -> str:
    """A database migrated to head, cloned for each test (fast)."""
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    postgres.execute("CREATE DATABASE ag_template")
    engine = make_engine(postgres.url("ag_template"))
    upgrade(engine)
    engine.dispose()
    return "ag_template"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        from accessguard.db.engine import make_engine
        from accessguard.db.migrate import upgrade

        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    postgres: Postgres = request.getfixturevalue("postgres")
    template: str = request.getfixturevalue("_pg_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return postgres.url(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database only (for tests that need not run on both)."""
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FixedClock:
    """A clock pinned to a known instant."""
    return FixedClock(PINNED)


@pytest.fixture
def app(database_url: str, clock: FixedClock) -> Iterator[App]:
    """An App on the parametrized database with a pinned clock."""
    settings = load_settings(
        overrides={"database.url": database_url, "company.domains": ["example.com"]}
    )
    application = App(settings=settings, clock=clock)
    yield application
    application.engine.dispose()


@pytest.fixture(scope="session")
def openbao() -> Iterator[OpenBao]:
    """One OpenBao dev server for the session; tests isolate themselves by mount/prefix."""
    with openbao_server() as server:
        yield server


@pytest.fixture
def scim() -> Iterator[ScimServer]:
    """A fresh SCIM server per test (in-memory state)."""
    with scim_server() as server:
        yield server
