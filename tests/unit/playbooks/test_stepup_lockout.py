"""The step-up lockout rule: ``MAX_FAILURES`` refused codes within ``WINDOW`` lock for ``LOCKOUT``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accessguard.playbooks.stepup import (
    LOCKOUT,
    MAX_FAILURES,
    WINDOW,
    locked_until,
    operator_name,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _at(*minutes: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


def test_fewer_failures_than_the_limit_lock_nothing() -> None:
    assert locked_until(_at(*range(MAX_FAILURES - 1))) is None


def test_the_limit_within_the_window_locks_from_the_last_failure() -> None:
    failures = _at(*range(MAX_FAILURES))
    assert locked_until(failures) == failures[-1] + LOCKOUT


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    step = WINDOW.total_seconds() / 60 / (MAX_FAILURES - 1) + 1
    assert locked_until(_at(*(i * step for i in range(MAX_FAILURES)))) is None


def test_a_later_burst_extends_the_lock() -> None:
    failures = _at(*range(MAX_FAILURES), *(40 + i for i in range(MAX_FAILURES)))
    assert locked_until(failures) == failures[-1] + LOCKOUT


def test_operator_names_are_key_safe() -> None:
    assert operator_name("userpass-Alice@Example.com") == "userpass-alice-example.com"
    assert operator_name("token-bob") == "token-bob"
