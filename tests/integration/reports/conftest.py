"""Report fixtures: the clock is pinned to the real now, so CLI runs (system clock) agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accessguard.app import App
from accessguard.clock import FixedClock
from support.reports_inventory import build_clean, build_findings


@pytest.fixture
def clock() -> FixedClock:
    """Now, pinned: data built relative to it is judged the same by a CLI run a moment later."""
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def findings_app(app: App) -> App:
    """An inventory with one instance of each finding kind."""
    build_findings(app)
    return app


@pytest.fixture
def clean_app(app: App) -> App:
    """An inventory with no finding."""
    build_clean(app)
    return app
