"""Events appended in a batch (``record_many``) chain exactly like events appended one by one."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import text

from accessguard.app import App
from accessguard.audit.chain import Event, chain_head, find_events, record, record_many, verify


def _events(n: int, start: int = 0) -> list[Event]:
    return [
        Event(
            "op@example.com",
            "grant.revoke",
            "grant",
            f"p{i}@example.com@brand",
            {"grant_id": i, "password": f"canary-{i}"},
            "run-1",
        )
        for i in range(start, start + n)
    ]


def test_a_batch_continues_the_chain_and_verifies(app: App) -> None:
    with app.begin() as conn:
        record(conn, app.clock, actor="a", action="person.add", target_type="person", target="x")
        seqs = record_many(conn, app.clock, _events(40))
        record(conn, app.clock, actor="a", action="person.add", target_type="person", target="y")
        assert record_many(conn, app.clock, []) == []
    assert seqs == list(range(2, 42))
    with app.begin() as conn:
        result = verify(conn)
        assert result.ok and result.checked == 42
        events = find_events(conn)
        assert chain_head(conn) == (42, events[-1].hash)
        assert all(b.prev_hash == a.hash for a, b in pairwise(events))
        # Secret-looking detail values are redacted in batches too.
        assert "canary" not in str([e.details for e in events])


def test_an_edit_inside_a_batch_is_detected(app: App) -> None:
    with app.begin() as conn:
        record_many(conn, app.clock, _events(10))
    with app.begin() as conn:
        conn.execute(text("UPDATE audit_events SET target = 'someone-else' WHERE seq = 6"))
    with app.begin() as conn:
        result = verify(conn)
    assert not result.ok and result.bad_seq == 6


def test_details_of_any_shape_are_stored_as_json_that_verifies(app: App) -> None:
    """Dates, tuples, sets, enums and nested secrets become JSON values; the chain still holds."""
    import enum
    from datetime import date
    from pathlib import Path

    from accessguard.secret import Secret

    class Level(enum.IntEnum):
        HIGH = 3

    details = {
        "when": date(2026, 11, 21),
        "pair": ("a", 1),
        "only": {"x"},
        "level": Level.HIGH,
        "where": Path("/tmp/x"),
        "nested": {"value": Secret("canary-nested-value"), 7: [None, True, 1.5]},
    }
    with app.begin() as conn:
        record(conn, app.clock, actor="a", action="t", target_type="t", target="t", details=details)
    with app.begin() as conn:
        assert verify(conn).ok
        [stored] = [e.details for e in find_events(conn)]
    assert stored == {
        "when": "2026-11-21",
        "pair": ["a", 1],
        "only": ["x"],
        "level": 3,
        "where": "/tmp/x",
        "nested": {"value": "********", "7": [None, True, 1.5]},
    }
