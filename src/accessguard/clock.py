"""An injectable UTC clock, so tests can pin time and nothing uses naive datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        """Return the pinned time."""
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the pinned time forward."""
        self._at += delta


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def today(clock: Clock) -> date:
    """The current UTC date by ``clock``."""
    return clock.now().date()


#: The one way a timestamp reads for people: ISO 8601, UTC, whole seconds, ``Z``.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def stamp(value: datetime) -> str:
    """``value`` as ISO 8601 UTC with seconds and ``Z`` (naive values are UTC already)."""
    return ensure_utc(value).strftime(TIMESTAMP_FORMAT)
