"""Every single edit, removal or reordering of an audit event is detected by verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from accessguard.app import App
from accessguard.audit.chain import record, verify
from accessguard.clock import FixedClock
from accessguard.config import load_settings

EVENTS = 300


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> App:
    from accessguard.db.engine import make_engine
    from accessguard.db.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('audit') / 'trail.db'}"
    upgrade(make_engine(url))
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app = App(settings=load_settings(overrides={"database.url": url}), clock=clock)
    with app.begin() as session:
        for i in range(EVENTS):
            clock.advance(timedelta(seconds=1))
            record(
                session,
                clock,
                actor=f"op{i % 3}@example.com",
                action="grant.add" if i % 2 else "person.add",
                target_type="person",
                target=f"p{i}@example.com",
                details={"n": i, "after": {"name": f"Person {i}"}},
            )
    return app


def _verify_after(app: App, *statements: tuple[str, dict[str, object]]) -> object:
    """Apply raw SQL tampering inside a savepoint, verify, and roll it back."""
    with app.begin() as session:
        nested = session.begin_nested()
        for sql, params in statements:
            session.execute(text(sql), params)
        result = verify(session)
        nested.rollback()
    return result


def test_clean_trail_verifies(trail: App) -> None:
    with trail.begin() as session:
        result = verify(session)
    assert result.ok and result.checked == EVENTS


@pytest.mark.parametrize("field", ["details", "actor", "action", "target", "occurred_at"])
def test_every_single_edit_is_detected(trail: App, field: str) -> None:
    values = {
        "details": ("UPDATE audit_events SET details = :v WHERE seq = :s", '{"n": -1}'),
        "actor": ("UPDATE audit_events SET actor = :v WHERE seq = :s", "mallory@example.com"),
        "action": ("UPDATE audit_events SET action = :v WHERE seq = :s", "grant.revoke"),
        "target": ("UPDATE audit_events SET target = :v WHERE seq = :s", "x@example.com"),
        "occurred_at": (
            "UPDATE audit_events SET occurred_at = :v WHERE seq = :s",
            "2020-01-01 00:00:00.000000",
        ),
    }
    sql, value = values[field]
    for seq in range(1, EVENTS + 1):
        result = _verify_after(trail, (sql, {"v": value, "s": seq}))
        assert not result.ok and result.bad_seq == seq, (field, seq, result)  # type: ignore[attr-defined]


def test_every_single_removal_is_detected(trail: App) -> None:
    for seq in range(1, EVENTS + 1):
        result = _verify_after(trail, ("DELETE FROM audit_events WHERE seq = :s", {"s": seq}))
        assert not result.ok, seq  # type: ignore[attr-defined]
        assert result.bad_seq == seq  # type: ignore[attr-defined]


def test_every_adjacent_reordering_is_detected(trail: App) -> None:
    swap = [
        ("UPDATE audit_events SET seq = -1 WHERE seq = :a", {}),
        ("UPDATE audit_events SET seq = :a WHERE seq = :b", {}),
        ("UPDATE audit_events SET seq = :b WHERE seq = -1", {}),
    ]
    for a in range(1, EVENTS):
        params = {"a": a, "b": a + 1}
        result = _verify_after(trail, *[(sql, params) for sql, _ in swap])
        assert not result.ok and result.bad_seq == a, (a, result)  # type: ignore[attr-defined]


def test_rehashing_an_edit_without_the_head_is_detected(trail: App) -> None:
    """Removing the newest event leaves a valid-looking chain; the head row catches it."""
    result = _verify_after(trail, ("DELETE FROM audit_events WHERE seq = :s", {"s": EVENTS}))
    assert not result.ok and "removed from the end" in (result.problem or "")  # type: ignore[attr-defined]
