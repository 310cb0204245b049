"""An in-memory SQLite inventory for the engine's unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from accessguard.db import tables
from support.records import Inventory


@pytest.fixture
def inventory() -> Iterator[Inventory]:
    """An empty schema in an in-memory SQLite database, in one transaction."""
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with engine.begin() as conn:
        yield Inventory(conn)
    engine.dispose()
