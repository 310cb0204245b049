"""Shared rules for hostile-input properties: success, or one clear AccessGuardError."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, settings

from accessguard.errors import AccessGuardError

T = TypeVar("T")

#: Bounded, deadline-free runs so the suite stays fast and stable on slow CI machines.
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_clear(exc: AccessGuardError) -> None:
    """The error a user sees is one non-empty line (the hint may add a second)."""
    assert exc.message.strip(), repr(exc)
    assert "\n" not in exc.message and "\r" not in exc.message, repr(exc.message)
    assert exc.hint is None or "\n" not in exc.hint, repr(exc.hint)
    assert "Traceback" not in exc.message


def outcome(func: Callable[[], T]) -> T | AccessGuardError:
    """Call ``func``: its result, or the AccessGuardError it raised (checked to be clear).

    Any other exception propagates, and fails the property.
    """
    try:
        return func()
    except AccessGuardError as exc:
        assert_clear(exc)
        return exc
