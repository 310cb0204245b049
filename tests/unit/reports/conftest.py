"""Findings on an in-memory SQLite database built from db/tables/, one connection per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from accessguard.db import tables


@pytest.fixture
def conn() -> Iterator[Connection]:
    """An empty schema in memory, inside a transaction that is thrown away."""
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        tables.metadata.create_all(connection)
        yield connection
    engine.dispose()
