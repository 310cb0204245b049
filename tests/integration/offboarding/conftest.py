"""Fixtures for offboarding tests: an SQLite app wired to OpenBao, SCIM and a Meta fake, seeded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from accessguard.config import load_settings
from support.fake_meta import MetaFake
from support.offboarding import World, build_world
from support.vault import vault_app


@pytest.fixture
def sqlite_app(sqlite_url: str, clock: FixedClock) -> Iterator[App]:
    """An App on a migrated SQLite file with a pinned clock."""
    app = App(settings=load_settings(overrides={"database.url": sqlite_url}), clock=clock)
    yield app
    app.engine.dispose()


@pytest.fixture
def meta() -> Iterator[MetaFake]:
    """A Meta Graph API fake (documented shapes)."""
    with MetaFake() as server:
        yield server


@pytest.fixture
def world(sqlite_app, openbao, scim, meta, monkeypatch) -> World:
    """The example company, with Ann about to leave."""
    app = vault_app(sqlite_app, openbao, monkeypatch)
    return build_world(app, openbao, scim, meta)
