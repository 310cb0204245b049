"""Fixtures for the Vault tests: an SQLite App wired to OpenBao, and inventory helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from support.servers import OpenBao
from support.vault import vault_app


@pytest.fixture
def sapp(sqlite_url: str, clock: FixedClock) -> Iterator[App]:
    """An App on SQLite only (most Vault tests are not about the database)."""
    application = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    yield application
    application.engine.dispose()


@pytest.fixture
def vapp(sapp: App, openbao: OpenBao, monkeypatch: pytest.MonkeyPatch) -> App:
    """``sapp`` bootstrapped against OpenBao with a fresh prefix and a tool-policy token."""
    return vault_app(sapp, openbao, monkeypatch)
